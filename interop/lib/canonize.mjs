/*
 * RDF Dataset Canonicalization (RDFC-1.0) by jsonld.js / rdf-canonize, in safe mode, so the
 * Python canonical form can be compared byte for byte with an independent implementation.
 */
import jsonld from 'jsonld';

import {InputError} from './errors.mjs';
import {makeDocumentLoader} from './loader.mjs';

export async function canonize(job) {
  if(!job.document || typeof job.document !== 'object') {
    throw new InputError('"document" must be a JSON object.');
  }
  const nquads = await jsonld.canonize(job.document, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    documentLoader: makeDocumentLoader({documents: job.documents}),
    safe: true
  });
  return {ok: true, nquads};
}
