/*
 * The `checkStatus` function handed to @digitalbazaar/vc. Bitstring Status List entries go to
 * Digital Bazaar's own library (which also verifies the status list credential's proof); the
 * 1EdTech Revocation List (VCRL 1.0), which no JavaScript library implements, is read here
 * as the 1EdTech reference validator reads it: the credential is revoked when its id is listed
 * in `revokedCredentials` and that entry's `revoked` is true or absent.
 */
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';

export class CredentialRevoked extends Error {
  constructor(message) {
    super(message);
    this.name = 'CredentialRevoked';
  }
}

export class StatusUnavailable extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'StatusUnavailable';
    this.cause = cause;
  }
}

const asArray = value => value === undefined ? [] : Array.isArray(value) ? value : [value];

async function checkRevocationList({credential, entry, documentLoader}) {
  let list;
  try {
    ({document: list} = await documentLoader(entry.id));
  } catch(error) {
    throw new StatusUnavailable(`Could not load the revocation list "${entry.id}".`, error);
  }
  const listed = asArray(list.revokedCredentials).find(item => item?.id === credential.id);
  if(listed && (listed.revoked === undefined || listed.revoked === null || listed.revoked === true)) {
    const reason = listed.revocationReason ? `: ${listed.revocationReason}` : '.';
    throw new CredentialRevoked(`Credential "${credential.id}" is revoked${reason}`);
  }
  return {verified: true, credentialStatus: entry, status: false};
}

export function makeCheckStatus({suite}) {
  return async function checkStatus({credential, documentLoader}) {
    const results = [];
    try {
      const entries = asArray(credential.credentialStatus);
      for(const entry of entries) {
        if(entry.type === '1EdTechRevocationList') {
          results.push(await checkRevocationList({credential, entry, documentLoader}));
        } else if(entry.type !== 'BitstringStatusListEntry') {
          throw new StatusUnavailable(`Unsupported credentialStatus type "${entry.type}".`);
        }
      }
      if(entries.some(entry => entry.type === 'BitstringStatusListEntry')) {
        const result = await checkBitstringStatus({credential, documentLoader, suite});
        if(!result.verified) {
          throw new StatusUnavailable(
            `Bitstring status list check failed: ${result.error?.message}`, result.error);
        }
        for(const item of result.results) {
          results.push(item);
          // The library reports the bit; a set bit for these purposes means "do not accept".
          if(item.status && ['revocation', 'suspension'].includes(
            item.credentialStatus.statusPurpose)) {
            throw new CredentialRevoked(
              `Credential "${credential.id}" has its ${item.credentialStatus.statusPurpose} ` +
              `bit set at index ${item.credentialStatus.statusListIndex}.`);
          }
        }
      }
      return {verified: true, results};
    } catch(error) {
      return {verified: false, error, results};
    }
  };
}
