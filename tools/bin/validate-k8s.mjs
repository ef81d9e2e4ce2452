#!/usr/bin/env node
// Validates deploy/k8s against the Kubernetes API schemas (kubernetes-models) plus the
// rules this project holds itself to. Usage: node tools/bin/validate-k8s.mjs [dir] [--json]
// Exit 0 only when every object validates; nothing of an unknown kind is let through.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';

const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? 'deploy/k8s');
const asJson = args.includes('--json');
const groups = { v1: core, 'apps/v1': apps, 'batch/v1': batch };
const errors = [];
const objects = [];
const spoolUsers = [];
const configMaps = [];
const SERVICES_WITH_READY = new Set(['engine', 'gateway']);

const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS();
const listed = new Set(kustomization.resources ?? []);
for (const file of listed) if (!existsSync(join(dir, file))) errors.push(`kustomization.yaml lists ${file}, which does not exist`);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
  if (!listed.has(file)) errors.push(`${file} is not listed in kustomization.yaml (it would never be applied)`);
}

function checkWorkload(where, kind, podSpec) {
  if (podSpec.securityContext?.runAsNonRoot !== true) errors.push(`${where}: pod securityContext.runAsNonRoot must be true`);
  for (const c of podSpec.containers ?? []) {
    if (!c.resources?.requests || !c.resources?.limits) errors.push(`${where}/${c.name}: resources.requests and resources.limits are required`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) errors.push(`${where}/${c.name}: allowPrivilegeEscalation must be false`);
    if (kind === 'Deployment') {
      // Liveness is /ping everywhere; the engine and gateway are ready only when their dependencies answer (/ready).
      const readyPath = SERVICES_WITH_READY.has(c.name) ? '/ready' : '/ping';
      if (c.livenessProbe?.httpGet?.path !== '/ping') errors.push(`${where}/${c.name}: livenessProbe must be an HTTP GET of /ping`);
      if (c.readinessProbe?.httpGet?.path !== readyPath) errors.push(`${where}/${c.name}: readinessProbe must be an HTTP GET of ${readyPath}`);
      if (SERVICES_WITH_READY.has(c.name)) spoolUsers.push({ where: `${where}/${c.name}`, container: c, podSpec });
    }
  }
}

/** The gateway's spool (and the engine's view of it) must be on a PersistentVolumeClaim mounted at AUDIT_JSONL_DIR. */
function checkSpool() {
  const dirs = configMaps.map((data) => data.AUDIT_JSONL_DIR).filter(Boolean);
  if (dirs.length !== 1) return errors.push(`a ConfigMap must set AUDIT_JSONL_DIR once (the gateway's spool on a persistent volume); found ${dirs.length}`);
  for (const { where, container, podSpec } of spoolUsers) {
    const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === dirs[0]);
    const volume = mount && (podSpec.volumes ?? []).find((v) => v.name === mount.name);
    if (!volume?.persistentVolumeClaim)
      errors.push(`${where}: AUDIT_JSONL_DIR (${dirs[0]}) must be a PersistentVolumeClaim mount (the spool holds acknowledged events)`);
  }
}

for (const file of [...listed].filter((f) => existsSync(join(dir, f)))) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
    if (doc.errors.length > 0) {
      errors.push(`${file}: YAML: ${doc.errors[0].message}`);
      continue;
    }
    const object = doc.toJS();
    if (!object) continue;
    const where = `${file}: ${object.kind}/${object.metadata?.name}`;
    const Model = groups[object.apiVersion]?.[object.kind];
    if (!Model) {
      errors.push(`${where}: ${object.apiVersion} ${object.kind} is not a kind this validator knows; nothing unvalidated goes in`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      errors.push(`${where}: ${error.message}`);
    }
    if (object.kind === 'Deployment' || object.kind === 'Job') checkWorkload(where, object.kind, object.spec.template.spec);
    objects.push({ file, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name });
    if (object.kind === 'ConfigMap') configMaps.push(object.data ?? {});
  }
}
checkSpool();

if (asJson) console.log(JSON.stringify({ validated: objects.length, objects, errors }, null, 2));
else {
  for (const o of objects) console.log(`ok  ${o.apiVersion} ${o.kind}/${o.name} (${o.file})`);
  for (const e of errors) console.error(`ERR ${e}`);
  console.log(errors.length === 0 ? `${objects.length} objects valid against the Kubernetes API schemas` : `${errors.length} problem(s)`);
}
process.exit(errors.length === 0 ? 0 : 1);
