/*
 * VC-JWT jobs with `jose`, an independent JOSE implementation, following the OB 3.0 rules:
 * the payload is the credential itself plus iss = issuer.id, jti = id, sub =
 * credentialSubject.id, nbf = validFrom and exp = validUntil (NumericDate); header alg, kid, typ.
 * A VC 1.1 credential (first context https://www.w3.org/2018/credentials/v1) travels in the
 * `vc` claim instead, with nbf/exp from issuanceDate/expirationDate.
 */
import * as jose from 'jose';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {InputError, describeErrors} from './errors.mjs';
import {makeDocumentLoader, methodInDocument} from './loader.mjs';
import {makeCheckStatus} from './status.mjs';

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];
// OB 3.0 asks for "JWT"; W3C VC-JOSE-COSE uses "vc+jwt"; the header may also omit it.
const ACCEPTED_TYP = [undefined, 'JWT', 'vc+jwt'];
const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';

const isVc11 = credential => [credential['@context']].flat()[0] === VC_V1_CONTEXT;
const credentialOf = payload => payload.vc ?? payload;

export class ClaimMismatch extends Error {
  constructor(message) {
    super(message);
    this.name = 'ClaimMismatch';
  }
}

function requireAlg(alg) {
  if(!ALGORITHMS.includes(alg)) {
    throw new InputError(`"alg" must be one of ${ALGORITHMS.join(', ')}.`);
  }
}

const issuerId = credential =>
  typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
const numericDate = value => value === undefined ? undefined :
  Math.floor(Date.parse(value) / 1000);

export function ob3Claims(credential) {
  const claims = {
    iss: issuerId(credential),
    jti: credential.id,
    sub: credential.credentialSubject?.id,
    nbf: numericDate(credential.validFrom ?? credential.issuanceDate),
    exp: numericDate(credential.validUntil ?? credential.expirationDate)
  };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

export async function generateJwtKey(job) {
  requireAlg(job.alg);
  const options = {extractable: true};
  if(job.alg === 'RS256') {
    options.modulusLength = 2048;
  }
  const {privateKey, publicKey} = await jose.generateKeyPair(job.alg, options);
  return {
    ok: true,
    alg: job.alg,
    privateJwk: await jose.exportJWK(privateKey),
    publicJwk: await jose.exportJWK(publicKey)
  };
}

export async function signJwt(job) {
  requireAlg(job.alg);
  if(!job.privateJwk || typeof job.privateJwk !== 'object') {
    throw new InputError('"privateJwk" must be a JWK object.');
  }
  let payload;
  if(job.payload) {
    payload = job.payload;
  } else if(job.credential) {
    payload = isVc11(job.credential) ?
      {...ob3Claims(job.credential), vc: job.credential} :
      {...job.credential, ...ob3Claims(job.credential)};
  } else {
    throw new InputError('Give a "credential" (OB 3.0 claims added) or a raw "payload".');
  }
  const header = {alg: job.alg, typ: job.typ ?? 'JWT'};
  if(job.kid) {
    header.kid = job.kid;
  }
  if(job.embedJwk) {
    const {d, p, q, dp, dq, qi, ...publicJwk} = job.privateJwk;
    header.jwk = publicJwk;
  }
  const key = await jose.importJWK(job.privateJwk, job.alg);
  const token = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
  return {ok: true, token, header, payload};
}

function keyResolver(job) {
  if(job.publicJwk) {
    return (header) => jose.importJWK(job.publicJwk, header.alg);
  }
  if(job.jwks) {
    return jose.createLocalJWKSet(job.jwks);
  }
  if(job.documents) {
    // `kid` is a DID URL: take `publicKeyJwk` of that method in the DID document passed in.
    return (header) => {
      const [did] = String(header.kid).split('#');
      if(!Object.hasOwn(job.documents, did)) {
        throw new InputError(`No DID document was given for kid "${header.kid}".`);
      }
      const method = methodInDocument(job.documents[did], header.kid);
      return jose.importJWK(method.publicKeyJwk, header.alg);
    };
  }
  // Only the header's own key remains; the caller decided to trust an embedded key.
  return jose.EmbeddedJWK;
}

function checkOb3Claims(payload) {
  const credential = credentialOf(payload);
  if(payload.vc && !isVc11(payload.vc)) {
    throw new ClaimMismatch('A "vc" claim must hold a VC 1.1 credential.');
  }
  const expected = ob3Claims(credential);
  for(const [claim, value] of Object.entries(expected)) {
    if(payload[claim] !== value) {
      throw new ClaimMismatch(
        `"${claim}" is ${JSON.stringify(payload[claim])} but the credential says ` +
        `${JSON.stringify(value)}.`);
    }
  }
  for(const claim of ['iss', 'jti', 'sub', 'nbf', 'exp']) {
    if(payload[claim] !== undefined && expected[claim] === undefined) {
      throw new ClaimMismatch(`"${claim}" has no matching credential property.`);
    }
  }
}

export async function verifyJwt(job) {
  if(typeof job.token !== 'string') {
    throw new InputError('"token" must be a compact JWS string.');
  }
  const errors = [];
  let header = null;
  let payload = null;
  let status = null;
  try {
    const options = {algorithms: ALGORITHMS};
    if(job.now) {
      options.currentDate = new Date(job.now);
    }
    ({protectedHeader: header, payload} = await jose.jwtVerify(
      job.token, keyResolver(job), options));
    if(!ACCEPTED_TYP.includes(header.typ)) {
      throw new ClaimMismatch(`Header "typ" is "${header.typ}", not "JWT".`);
    }
    checkOb3Claims(payload);
    const credential = credentialOf(payload);
    if(credential.credentialStatus) {
      const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
      const result = await makeCheckStatus({suite})({
        credential, documentLoader: makeDocumentLoader({documents: job.documents})
      });
      status = {verified: result.verified, errors: describeErrors(result.error)};
      if(!result.verified) {
        errors.push(...status.errors);
      }
    }
  } catch(error) {
    errors.push(...describeErrors(error));
  }
  const verified = errors.length === 0;
  return {ok: verified, verified, errors, header, payload, status};
}

/*
 * Plain compact JWS (no JWT claim rules), as OB 2.0 signed assertions use: the payload is the
 * Assertion JSON and the header only names the algorithm.
 */
export async function signJws(job) {
  requireAlg(job.alg);
  if(!job.privateJwk || typeof job.privateJwk !== 'object' || !job.payload) {
    throw new InputError('"privateJwk" and a JSON "payload" are required.');
  }
  const key = await jose.importJWK(job.privateJwk, job.alg);
  const token = await new jose.CompactSign(
    new TextEncoder().encode(JSON.stringify(job.payload)))
    .setProtectedHeader({alg: job.alg})
    .sign(key);
  return {ok: true, token};
}

export async function verifyJws(job) {
  if(typeof job.token !== 'string' || !job.publicJwk) {
    throw new InputError('"token" and "publicJwk" are required.');
  }
  try {
    const {payload, protectedHeader} = await jose.compactVerify(
      job.token,
      header => jose.importJWK(job.publicJwk, header.alg),
      {algorithms: job.algorithms ?? ALGORITHMS});
    return {
      ok: true, verified: true, errors: [], header: protectedHeader,
      payload: JSON.parse(new TextDecoder().decode(payload))
    };
  } catch(error) {
    return {ok: false, verified: false, errors: describeErrors(error)};
  }
}
