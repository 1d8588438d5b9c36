/*
 * Ed25519 keys for the Data Integrity suites. Jobs give a 32-byte seed as hex (the raw private
 * key, the same bytes Python's Ed25519PrivateKey.private_bytes_raw() returns), so both sides can
 * share a key without any key-format code of ours in between.
 */
import {randomBytes} from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';

import {InputError} from './errors.mjs';

export function seedFromHex(seedHex) {
  if(typeof seedHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(seedHex)) {
    throw new InputError('"seed" must be 32 bytes as 64 hexadecimal characters.');
  }
  return Uint8Array.from(Buffer.from(seedHex, 'hex'));
}

export async function multikeyFromSeed({seed, verificationMethod}) {
  const [controller] = verificationMethod.split('#');
  return Ed25519Multikey.generate({
    seed: seedFromHex(seed), id: verificationMethod, controller
  });
}

export async function verificationKey2020FromSeed({seed, verificationMethod}) {
  const [controller] = verificationMethod.split('#');
  return Ed25519VerificationKey2020.generate({
    seed: seedFromHex(seed), id: verificationMethod, controller
  });
}

// A fresh key made by the JavaScript side, with the identifiers a test needs to use it.
export async function generateEd25519() {
  const seed = randomBytes(32).toString('hex');
  const key = await Ed25519Multikey.generate({seed: seedFromHex(seed)});
  const {publicKeyMultibase} = await key.export({publicKey: true});
  const did = `did:key:${publicKeyMultibase}`;
  return {seed, publicKeyMultibase, did, verificationMethod: `${did}#${publicKeyMultibase}`};
}
