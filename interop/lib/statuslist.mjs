/*
 * Bitstring Status List credentials made by Digital Bazaar's library and signed with
 * eddsa-rdfc-2022, so our verifier can be shown a list it did not write itself.
 */
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';

import {InputError} from './errors.mjs';
import {signDi} from './di.mjs';

const MIN_LENGTH = 131072;

export async function signStatusList(job) {
  const {id, issuer, validFrom, statusPurpose = 'revocation', length = MIN_LENGTH} = job;
  if(typeof id !== 'string' || !issuer || typeof validFrom !== 'string') {
    throw new InputError('"id", "issuer" and "validFrom" are required.');
  }
  const set = job.set ?? [];
  if(!Array.isArray(set) || !set.every(i => Number.isInteger(i) && i >= 0 && i < length)) {
    throw new InputError(`"set" must list indices from 0 to ${length - 1}.`);
  }
  const list = await createList({length});
  for(const index of set) {
    list.setStatus(index, true);
  }
  const unsigned = await createCredential({id, list, statusPurpose});
  const credential = {
    ...unsigned,
    issuer,
    validFrom,
    ...(job.validUntil ? {validUntil: job.validUntil} : {})
  };
  return signDi({...job, credential});
}
