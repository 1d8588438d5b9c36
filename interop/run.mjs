#!/usr/bin/env node
// Runs a mixed batch: each job names its operation in "op" (see README.md in this folder).
import {main} from './lib/cli.mjs';
import {InputError} from './lib/errors.mjs';
import {sign2020, signDi, verifyDi} from './lib/di.mjs';
import {generateJwtKey, signJws, signJwt, verifyJws, verifyJwt} from './lib/jwt.mjs';
import {canonize} from './lib/canonize.mjs';
import {generateEd25519} from './lib/keys.mjs';
import {signStatusList} from './lib/statuslist.mjs';
import {NPM_CONTEXTS} from './lib/contexts.mjs';

const OPERATIONS = {
  canonize,
  'sign-di': signDi,
  'verify-di': verifyDi,
  'sign-2020': sign2020,
  'sign-status-list': signStatusList,
  'sign-jwt': signJwt,
  'verify-jwt': verifyJwt,
  'sign-jws': signJws,
  'verify-jws': verifyJws,
  'generate-jwt-key': generateJwtKey,
  'generate-ed25519': async () => ({ok: true, ...await generateEd25519()}),
  // The contexts the npm packages ship, so tests can compare them with openbadges/contexts/.
  'npm-contexts': async () => ({ok: true, contexts: Object.fromEntries(NPM_CONTEXTS)})
};

await main(async job => {
  const operation = OPERATIONS[job.op];
  if(!operation) {
    throw new InputError(`Unknown "op" ${JSON.stringify(job.op)}; use one of ${Object.keys(OPERATIONS).join(', ')}.`);
  }
  return {op: job.op, ...await operation(job)};
});
