// Drives the Sovereign CRM face with jsforce, as an integration job would:
// the instance URL is the gateway, the access token a gateway API key.
// Reads a plan (JSON array of steps) on stdin and prints one JSON result per
// step: {name, ok, result} or {name, ok: false, error: {errorCode, message}}.
// "$<step>.<path>" in a step's strings is replaced with an earlier result.
'use strict';
const jsforce = require('jsforce');

const keys = { eu: process.env.KEY_EU, us: process.env.KEY_US };

function conn(as) {
  return new jsforce.Connection({
    instanceUrl: process.env.GATEWAY_URL,
    accessToken: keys[as],
    version: '62.0',
  });
}

function lookup(results, ref) {
  const [name, ...path] = ref.split('.');
  let v = results[name];
  for (const p of path) v = v == null ? undefined : v[p];
  return v;
}

function resolve(v, results) {
  if (typeof v === 'string') {
    const whole = v.match(/^\$([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/);
    if (whole) return lookup(results, whole[1]);
    return v.replace(/\$\{([A-Za-z0-9_.]+)\}/g, (_, ref) => String(lookup(results, ref)));
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, results));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = resolve(x, results);
    return out;
  }
  return v;
}

async function run(step, results) {
  const s = resolve(step, results);
  const c = conn(s.as || 'eu');
  const opts = s.options || {};
  switch (s.op) {
    case 'create': return c.sobject(s.type).create(s.records, opts);
    case 'update': return c.sobject(s.type).update(s.records, opts);
    case 'upsert': return c.sobject(s.type).upsert(s.records, s.extIdField, opts);
    case 'retrieve': return c.sobject(s.type).retrieve(s.ids, opts);
    case 'destroy': return c.sobject(s.type).destroy(s.ids, opts);
    case 'query': return c.query(s.soql);
    case 'composite': return c.requestPost('/services/data/v62.0/composite', s.body);
    default: throw new Error('unknown op ' + s.op);
  }
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const plan = JSON.parse(input);
  const results = {};
  const out = [];
  for (const step of plan) {
    try {
      const result = await run(step, results);
      results[step.name] = result;
      out.push({ name: step.name, ok: true, result });
    } catch (err) {
      out.push({ name: step.name, ok: false, error: { errorCode: err.errorCode || err.name, message: String(err.message) } });
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write('jsforce client failed: ' + (err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
