#!/usr/bin/env node
/*
 * A third-party issuer made only of independent libraries, for the import and verify tests.
 *
 * Reads one job on stdin: {"base": "http://127.0.0.1:<port>", "recipient": "lea@example.org",
 * "now": ISO date (optional)}. Builds, from scratch and with none of our Python code:
 *   - OB 3.0 credentials signed with eddsa-rdfc-2022 by @digitalbazaar/vc (issuer: a did:key),
 *     with a Bitstring Status List made and signed by @digitalbazaar/vc-bitstring-status-list;
 *   - the same credentials as VC-JWTs signed by jose (EdDSA, kid in the issuer's did:key);
 *   - OB 2.0 hosted assertions (badge class, issuer profile, revocation list) and OB 2.0 signed
 *     assertions (compact JWS, RS256, by jose) with their CryptographicKey document;
 *   - baked images: OB 2.0 SVG by Mozilla's openbadges-bakery (its PNG baker crashes on
 *     current Node: its bit writer predates today's typed arrays); PNG, OB 2.0 and 3.0, with a
 *     generic chunk writer (png-chunks-extract / png-chunks-encode, the iTXt chunk laid out
 *     here per the PNG spec, since no working npm baker knows it); OB 3.0 SVG by inserting the
 *     <openbadges:credential> element as the OB 3.0 baking section prescribes;
 *   - tampered, revoked, expired and not-yet-valid variants of each kind.
 * Prints {"ok": true, "documents": {path: {contentType, body}}, "badges": {name: {format,
 * data, expect}}}: the test serves `documents` at `base` and imports every badge, expecting
 * its verdict. PNG data is base64; everything else is text.
 */
import {createHash, randomBytes, randomUUID} from 'node:crypto';
import {deflateSync} from 'node:zlib';
import {createRequire} from 'node:module';

import * as jose from 'jose';
import * as b58 from 'base58-universal';
import extractChunks from 'png-chunks-extract';
import encodeChunks from 'png-chunks-encode';

import {main} from './lib/cli.mjs';
import {InputError} from './lib/errors.mjs';
import {generateEd25519, seedFromHex} from './lib/keys.mjs';
import {signDi} from './lib/di.mjs';
import {signStatusList} from './lib/statuslist.mjs';

const require = createRequire(import.meta.url);
const bakery = require('openbadges-bakery');

const VC2 = 'https://www.w3.org/ns/credentials/v2';
const OB3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const OB2 = 'https://w3id.org/openbadges/v2';
const REVOKED_INDEX = 42;
const DAY = 24 * 3600 * 1000;

const b64url = bytes => Buffer.from(bytes).toString('base64url');
const iso = ms => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sha256 = text => createHash('sha256').update(text).digest('hex');

// A square PNG with a diagonal pattern, written with node's zlib: the picture the badges are
// baked into. (openbadges-bakery only recognises images of at least 256 bytes.)
function plainPng(side = 64, rgb = [200, 60, 20]) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = [];
  for(let y = 0; y < side; y++) {
    const row = [0];
    for(let x = 0; x < side; x++) {
      const shade = (x + y) % 16 < 8 ? 1 : 0.6;
      row.push(...rgb.map(c => Math.round(c * shade)));
    }
    rows.push(Buffer.from(row));
  }
  const pixels = deflateSync(Buffer.concat(rows));
  return Buffer.from(encodeChunks([
    {name: 'IHDR', data: header}, {name: 'IDAT', data: pixels}, {name: 'IEND', data: new Uint8Array()}
  ]));
}

// PNG §11.3.4.5 iTXt: keyword, NUL, compression flag 0, method 0, empty language and
// translated keyword (each NUL-terminated), UTF-8 text.
function bakePng(png, text, keyword = 'openbadgecredential') {
  const chunks = extractChunks(png).filter(c => c.name !== 'iTXt');
  const data = Buffer.concat([
    Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]),
    Buffer.from(text, 'utf8')
  ]);
  chunks.splice(1, 0, {name: 'iTXt', data});
  return Buffer.from(encodeChunks(chunks));
}

function bakeSvgOb3(svg, text) {
  const element = text.startsWith('{') ?
    `<openbadges:credential><![CDATA[${text}]]></openbadges:credential>` :
    `<openbadges:credential verify="${text}"></openbadges:credential>`;
  return svg.replace(/<svg([^>]*)>/, (whole, attributes) =>
    `<svg${attributes} xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">${element}`);
}

const bake = options => new Promise((resolve, reject) => {
  bakery.bake(options, (error, baked) => error ? reject(error) : resolve(baked));
});

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">' +
  '<title>Independent badge</title><desc>A green square drawn for the third-party badge tests; ' +
  'it has to be longer than 256 bytes for openbadges-bakery to recognise it as SVG.</desc>' +
  '<rect width="128" height="128" fill="#2a7"/><circle cx="64" cy="64" r="40" fill="#fff"/></svg>';

async function ob3World({base, recipient, now}) {
  const key = await generateEd25519();
  const issuer = {id: key.did, type: ['Profile'], name: 'Independent Academy', url: 'https://independent.example.org'};
  const statusUrl = `${base}/status/1`;
  const salt = randomBytes(8).toString('hex');
  const achievementImage = `data:image/png;base64,${plainPng(32, [20, 90, 200]).toString('base64')}`;

  const statusList = await signStatusList({
    id: statusUrl, issuer: key.did, validFrom: iso(now - DAY), set: [REVOKED_INDEX],
    seed: key.seed, verificationMethod: key.verificationMethod
  });

  function credential({index, validFrom, validUntil}) {
    return {
      '@context': [VC2, OB3],
      id: `urn:uuid:${randomUUID()}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      name: 'Community Mediator',
      issuer,
      validFrom: iso(validFrom),
      ...(validUntil ? {validUntil: iso(validUntil)} : {}),
      credentialSubject: {
        id: `urn:uuid:${randomUUID()}`,
        type: ['AchievementSubject'],
        identifier: [{
          type: 'IdentityObject', identityType: 'emailAddress', hashed: true, salt,
          identityHash: 'sha256$' + sha256(recipient.toLowerCase() + salt)
        }],
        achievement: {
          id: 'https://independent.example.org/achievements/mediator',
          type: ['Achievement'],
          name: 'Community Mediator',
          description: 'Mediates disputes between neighbours.',
          criteria: {narrative: 'Mediated five cases under supervision.'},
          image: {id: achievementImage, type: 'Image'}
        }
      },
      credentialStatus: {
        id: `${statusUrl}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation',
        statusListIndex: String(index), statusListCredential: statusUrl
      }
    };
  }

  const variants = {
    valid: credential({index: 7, validFrom: now - 10 * DAY}),
    revoked: credential({index: REVOKED_INDEX, validFrom: now - 10 * DAY}),
    expired: credential({index: 8, validFrom: now - 400 * DAY, validUntil: now - 30 * DAY}),
    future: credential({index: 9, validFrom: now + 30 * DAY})
  };
  const expect = {valid: 'valid', revoked: 'revoked', expired: 'expired', future: 'not_yet_valid'};

  // The JWT key is the same Ed25519 key, as a JWK for jose; its kid is the did:key method.
  const publicRaw = b58.decode(key.publicKeyMultibase.slice(1)).slice(2);
  const privateJwk = {kty: 'OKP', crv: 'Ed25519', d: b64url(seedFromHex(key.seed)), x: b64url(publicRaw)};
  const jwtKey = await jose.importJWK(privateJwk, 'EdDSA');
  async function vcJwt(vc) {
    const claims = {
      ...vc, iss: vc.issuer.id, jti: vc.id, sub: vc.credentialSubject.id, nbf: Math.floor(Date.parse(vc.validFrom) / 1000),
      ...(vc.validUntil ? {exp: Math.floor(Date.parse(vc.validUntil) / 1000)} : {})
    };
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', kid: key.verificationMethod})
      .sign(jwtKey);
  }

  const badges = {};
  const png = plainPng();
  for(const [name, vc] of Object.entries(variants)) {
    const signed = (await signDi({credential: vc, seed: key.seed, verificationMethod: key.verificationMethod})).credential;
    const text = JSON.stringify(signed, null, 2);
    badges[`ob3_di_${name}`] = {format: 'json', data: text, expect: expect[name]};
    const token = await vcJwt(vc);
    badges[`ob3_jwt_${name}`] = {format: 'jwt', data: token, expect: expect[name]};
    if(name === 'valid') {
      badges.ob3_di_png = {format: 'png', data: bakePng(png, text).toString('base64'), expect: 'valid'};
      badges.ob3_jwt_png = {format: 'png', data: bakePng(png, token).toString('base64'), expect: 'valid'};
      badges.ob3_di_svg = {format: 'svg', data: bakeSvgOb3(SVG, text), expect: 'valid'};
      const tampered = structuredClone(signed);
      tampered.credentialSubject.achievement.name = 'Supreme Court Judge';
      badges.ob3_di_tampered = {format: 'json', data: JSON.stringify(tampered), expect: 'invalid'};
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url'));
      claims.credentialSubject.achievement.name = 'Supreme Court Judge';
      badges.ob3_jwt_tampered = {
        format: 'jwt', data: [header, b64url(JSON.stringify(claims)), signature].join('.'), expect: 'invalid'
      };
      badges.ob3_jwt_alg_none = {
        format: 'jwt',
        data: [b64url(JSON.stringify({alg: 'none', typ: 'JWT', kid: key.verificationMethod})), payload, ''].join('.'),
        expect: 'invalid'
      };
    }
  }
  return {
    documents: {'/status/1': {contentType: 'application/vc+ld+json', body: JSON.stringify(statusList.credential)}},
    badges
  };
}

async function ob2World({base, recipient, now}) {
  const issuerUrl = `${base}/ob2/issuer`;
  const badgeUrl = `${base}/ob2/badge`;
  const keyUrl = `${base}/ob2/key`;
  const revocationsUrl = `${base}/ob2/revocations`;
  const {privateKey, publicKey} = await jose.generateKeyPair('RS256', {modulusLength: 2048, extractable: true});
  const salt = randomBytes(8).toString('hex');
  const recipientObject = {type: 'email', hashed: true, salt, identity: 'sha256$' + sha256(recipient.toLowerCase() + salt)};
  const documents = {
    '/ob2/issuer': {contentType: 'application/ld+json', body: JSON.stringify({
      '@context': OB2, type: 'Issuer', id: issuerUrl, name: 'Old School Guild',
      url: 'https://guild.example.org', email: 'badges@guild.example.org',
      publicKey: keyUrl, revocationList: revocationsUrl
    })},
    '/ob2/badge': {contentType: 'application/ld+json', body: JSON.stringify({
      '@context': OB2, type: 'BadgeClass', id: badgeUrl, name: 'Bookbinder',
      description: 'Binds books by hand.', image: `${base}/ob2/badge.png`,
      criteria: {narrative: 'Bound three books.'}, issuer: issuerUrl
    })},
    '/ob2/key': {contentType: 'application/ld+json', body: JSON.stringify({
      '@context': OB2, type: 'CryptographicKey', id: keyUrl, owner: issuerUrl,
      publicKeyPem: await jose.exportSPKI(publicKey)
    })}
  };
  const revoked = [];
  const badges = {};
  const dates = {
    valid: {issuedOn: iso(now - 10 * DAY)},
    revoked: {issuedOn: iso(now - 10 * DAY)},
    expired: {issuedOn: iso(now - 400 * DAY), expires: iso(now - 30 * DAY)},
    future: {issuedOn: iso(now + 30 * DAY)}
  };
  const expect = {valid: 'valid', revoked: 'revoked', expired: 'expired', future: 'not_yet_valid'};
  const png = plainPng(64, [90, 20, 140]);
  for(const [name, when] of Object.entries(dates)) {
    const hostedUrl = `${base}/ob2/assertions/${name}`;
    const hosted = {
      '@context': OB2, type: 'Assertion', id: hostedUrl, recipient: recipientObject, badge: badgeUrl,
      verification: {type: 'hosted'}, ...when
    };
    documents[`/ob2/assertions/${name}`] = {contentType: 'application/ld+json', body: JSON.stringify(hosted)};
    badges[`ob2_hosted_${name}`] = {format: 'url', data: hostedUrl, expect: expect[name]};
    const signedId = `urn:uuid:${randomUUID()}`;
    const assertion = {
      '@context': OB2, type: 'Assertion', id: signedId, recipient: recipientObject, badge: badgeUrl,
      verification: {type: 'SignedBadge', creator: keyUrl}, ...when
    };
    const token = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(assertion)))
      .setProtectedHeader({alg: 'RS256'}).sign(privateKey);
    badges[`ob2_signed_${name}`] = {format: 'jwt', data: token, expect: expect[name]};
    if(name === 'revoked') {
      revoked.push({id: hostedUrl, revocationReason: 'Awarded in error'}, {id: signedId, revocationReason: 'Awarded in error'});
    }
    if(name === 'valid') {
      badges.ob2_hosted_json = {format: 'json', data: JSON.stringify(hosted), expect: 'valid'};
      badges.ob2_hosted_png = {format: 'png', data: bakePng(png, hostedUrl, 'openbadges').toString('base64'), expect: 'valid'};
      badges.ob2_signed_png = {format: 'png', data: bakePng(png, token, 'openbadges').toString('base64'), expect: 'valid'};
      badges.ob2_hosted_svg = {format: 'svg', data: String(await bake({image: Buffer.from(SVG), url: hostedUrl})), expect: 'valid'};
      badges.ob2_signed_svg = {format: 'svg', data: String(await bake({image: Buffer.from(SVG), signature: token})), expect: 'valid'};
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url'));
      claims.recipient = {type: 'email', hashed: false, identity: 'mallory@example.org'};
      badges.ob2_signed_tampered = {format: 'jwt', data: [header, b64url(JSON.stringify(claims)), signature].join('.'), expect: 'invalid'};
    }
  }
  documents['/ob2/revocations'] = {contentType: 'application/ld+json', body: JSON.stringify({
    '@context': OB2, type: 'RevocationList', id: revocationsUrl, issuer: issuerUrl, revokedAssertions: revoked
  })};
  documents['/ob2/badge.png'] = {contentType: 'image/png', body: png.toString('base64'), base64: true};
  return {documents, badges};
}

async function thirdParty(job) {
  if(typeof job.base !== 'string' || !/^https?:\/\/[^/]+$/.test(job.base)) {
    throw new InputError('"base" must be the origin of the test server, e.g. http://127.0.0.1:8765');
  }
  const recipient = typeof job.recipient === 'string' ? job.recipient : 'learner@example.org';
  const now = job.now ? Date.parse(job.now) : Date.now();
  const ob3 = await ob3World({base: job.base, recipient, now});
  const ob2 = await ob2World({base: job.base, recipient, now});
  return {
    ok: true,
    documents: {...ob3.documents, ...ob2.documents},
    badges: {...ob3.badges, ...ob2.badges}
  };
}

await main(thirdParty);
