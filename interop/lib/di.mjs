/*
 * Data Integrity jobs, done entirely with Digital Bazaar's libraries:
 * eddsa-rdfc-2022 (DataIntegrityProof) and the older Ed25519Signature2020.
 */
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';

import {InputError, describeErrors} from './errors.mjs';
import {multikeyFromSeed, verificationKey2020FromSeed} from './keys.mjs';
import {makeDocumentLoader} from './loader.mjs';
import {makeCheckStatus} from './status.mjs';

function requireCredential(job) {
  if(!job.credential || typeof job.credential !== 'object' || Array.isArray(job.credential)) {
    throw new InputError('"credential" must be a JSON object.');
  }
  if(typeof job.verificationMethod !== 'string' || !job.verificationMethod.includes(':')) {
    throw new InputError('"verificationMethod" must be the URL or DID URL of the signing key.');
  }
}

function proofDate(created) {
  if(created === undefined) {
    return undefined;
  }
  const date = new Date(created);
  if(Number.isNaN(date.getTime())) {
    throw new InputError(`"created" is not a date: ${created}`);
  }
  return date;
}

async function issue({job, suite}) {
  const documentLoader = makeDocumentLoader({documents: job.documents});
  const credential = await vc.issue({
    credential: structuredClone(job.credential), suite, documentLoader,
    now: job.now
  });
  return {ok: true, credential};
}

export async function signDi(job) {
  requireCredential(job);
  const key = await multikeyFromSeed(job);
  const suite = new DataIntegrityProof({
    signer: key.signer(), date: proofDate(job.created), cryptosuite: eddsaRdfc2022CryptoSuite
  });
  return issue({job, suite});
}

export async function sign2020(job) {
  requireCredential(job);
  const key = await verificationKey2020FromSeed(job);
  const suite = new Ed25519Signature2020({key, date: proofDate(job.created)});
  return issue({job, suite});
}

function verificationSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new Ed25519Signature2020()
  ];
}

function describeProofs(results = []) {
  return results.filter(result => result.proof).map(result => ({
    verified: result.verified,
    type: result.proof.type,
    cryptosuite: result.proof.cryptosuite ?? null,
    verificationMethod: result.proof.verificationMethod ?? null,
    errors: describeErrors(result.error, result.purposeResult?.error)
  }));
}

export async function verifyDi(job) {
  if(!job.credential || typeof job.credential !== 'object') {
    throw new InputError('"credential" must be a JSON object.');
  }
  const suite = verificationSuites();
  const documentLoader = makeDocumentLoader({documents: job.documents});
  const result = await vc.verifyCredential({
    credential: job.credential,
    suite,
    documentLoader,
    checkStatus: makeCheckStatus({suite}),
    now: job.now
  });
  const proofs = describeProofs(result.results);
  const status = result.statusResult ? {
    verified: result.statusResult.verified,
    errors: describeErrors(result.statusResult.error)
  } : null;
  const errors = describeErrors(
    result.error,
    ...(result.results ?? []).map(r => r.error),
    ...(result.results ?? []).map(r => r.purposeResult?.error),
    result.statusResult?.error);
  return {ok: result.verified, verified: result.verified, errors, proofs, status};
}
