/*
 * Shared command-line wrapper: read one job (a JSON object) or a batch (a JSON array) from
 * stdin, write the result(s) as JSON to stdout. Batches exist so a test module starts node once.
 *
 * Exit codes: 0 every job succeeded (signed, or verified); 1 at least one job ran but did not
 * succeed (the results say why); 2 the input could not be used (bad JSON, bad job).
 */
import {InputError, describeErrors} from './errors.mjs';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function runJob(handler, job) {
  if(!job || typeof job !== 'object' || Array.isArray(job)) {
    return {ok: false, inputError: true, errors: [{name: 'InputError', message: 'A job must be a JSON object.'}]};
  }
  try {
    return await handler(job);
  } catch(error) {
    return {ok: false, inputError: error instanceof InputError, errors: describeErrors(error)};
  }
}

export async function main(handler) {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch(error) {
    process.stdout.write(JSON.stringify({ok: false, inputError: true, errors: describeErrors(error)}) + '\n');
    process.exitCode = 2;
    return;
  }
  const jobs = Array.isArray(input) ? input : [input];
  const results = [];
  // One after another: the libraries are fast enough and the order of output is then obvious.
  for(const job of jobs) {
    results.push(await runJob(handler, job));
  }
  process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0]) + '\n');
  process.exitCode = results.some(r => r.inputError) ? 2 : results.every(r => r.ok) ? 0 : 1;
}
