/*
 * An offline JSON-LD document loader for one job. It answers, in this order:
 *   1. documents the job passes in (status lists, key documents, controller and DID
 *      documents), including a verification method inside a passed DID document by its id;
 *   2. local contexts (npm context packages, then openbadges/contexts/);
 *   3. did:key identifiers and their verification methods (derived from the key itself);
 *   4. HTTPS verification methods whose fragment is the Ed25519 Multikey ("…/issuers/1#z6Mk…"),
 *      the key form the OB 3.0 test vector uses, and their controller document.
 * Anything else is refused, so a test can never reach the network.
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

import {localContext} from './contexts.mjs';

const DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
const ED25519_MULTIKEY_PREFIX = 'z6Mk';

const didKey = didKeyDriver();
didKey.use({
  multibaseMultikeyHeader: ED25519_MULTIKEY_PREFIX,
  fromMultibase: Ed25519Multikey.from
});

export class OfflineDocumentNotFound extends Error {
  constructor(url) {
    super(`"${url}" is not available to the offline document loader.`);
    this.name = 'OfflineDocumentNotFound';
  }
}

function splitFragment(url) {
  const hash = url.indexOf('#');
  return hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash + 1)];
}

// A verification method listed in a controller (DID) document, as a standalone document.
export function methodInDocument(document, url) {
  const absolute = id => id?.startsWith('#') ? document.id + id : id;
  const method = (document.verificationMethod ?? []).find(vm => absolute(vm.id) === url);
  if(!method) {
    throw new OfflineDocumentNotFound(url);
  }
  return {'@context': MULTIKEY_CONTEXT_URL, ...structuredClone(method), id: url};
}

export function makeDocumentLoader({documents = {}} = {}) {
  // Verification methods synthesised from a fragment, grouped by controller, so the
  // controller document can authorise exactly those.
  const fragmentMethods = new Map();

  return async function documentLoader(url) {
    const answer = document => ({contextUrl: null, documentUrl: url, document});
    if(Object.hasOwn(documents, url)) {
      return answer(structuredClone(documents[url]));
    }
    const [base, fragment] = splitFragment(url);
    if(fragment && Object.hasOwn(documents, base)) {
      return answer(methodInDocument(documents[base], url));
    }
    const context = localContext(url);
    if(context) {
      return answer(structuredClone(context.document));
    }
    if(url.startsWith('did:key:')) {
      return answer(await didKey.get({url}));
    }
    if(url.startsWith('https://') && fragment.startsWith(ED25519_MULTIKEY_PREFIX)) {
      // Decoding checks that the fragment really is an Ed25519 public key.
      await Ed25519Multikey.from({publicKeyMultibase: fragment});
      if(!fragmentMethods.has(base)) {
        fragmentMethods.set(base, new Set());
      }
      fragmentMethods.get(base).add(url);
      return answer({
        '@context': MULTIKEY_CONTEXT_URL,
        id: url,
        type: 'Multikey',
        controller: base,
        publicKeyMultibase: fragment
      });
    }
    if(fragmentMethods.has(url)) {
      const methods = [...fragmentMethods.get(url)];
      return answer({
        '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL],
        id: url,
        assertionMethod: methods
      });
    }
    throw new OfflineDocumentNotFound(url);
  };
}
