// An Argo Workflow checked as Argo checks one before it runs it, without a
// cluster: the Workflow's JSON schema (the validator that
// @kubernetes-models/argo-workflows generates from Argo's Go types), every
// key a field of its type (Argo decodes strictly), and the references
// Argo's own lint resolves: templates, tasks, dependencies, parameters and
// the variables in `{{...}}`.
//   node argo_workflow.mjs NPM_DIR FILE...   prints "FILE: ok" or each problem; exit 1 on any
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [npmDir, ...files] = process.argv.slice(2);
const modules = path.join(npmDir, "node_modules");
const yaml = createRequire(path.join(modules, "index.js"))("js-yaml");
const models = path.join(modules, "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1");
const { Workflow } = await import(path.join(models, "Workflow.js"));

// ---- Every key a field of its type, from the models' TypeScript declarations.

const declarations = new Map();  // .d.ts path -> { name, fields: Map(field -> type text), imports }

function declaration(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = fs.readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const [, names, from] of text.matchAll(/import \{([^}]+)\} from "([^"]+)";/g)) {
    const spec = from.replace(/\.js$/, "") + ".d.ts";
    const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : path.join(modules, spec);
    for (const name of names.split(",")) imports.set(name.trim(), target);
  }
  const body = text.match(/export interface (I\w+)(?: extends [^{]+)? \{\n([\s\S]*?)\n\}/);
  const d = { name: body ? body[1].slice(1) : null, fields: new Map(), imports };
  if (body) {
    let field = null;
    for (const line of body[2].split("\n")) {
      const start = line.match(/^ {4}"([^"]+)"\??: (.*)$/);
      if (start) d.fields.set(field = start[1], start[2]);
      else if (field && line.trim()) d.fields.set(field, d.fields.get(field) + " " + line.trim());
    }
    for (const [k, v] of d.fields) d.fields.set(k, v.replace(/;$/, "").trim());
  }
  declarations.set(file, d);
  return d;
}

function strictFields(value, type, context, where, problems) {
  let m;
  if ((m = type.match(/^Array<(.+)>$/))) {
    if (Array.isArray(value)) value.forEach((v, i) => strictFields(v, m[1], context, `${where}[${i}]`, problems));
  } else if ((m = type.match(/^\{ \[key: string\]: (.+); \}$/))) {
    if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) strictFields(v, m[1], context, `${where}.${k}`, problems);
  } else if (context.imports.has(type)) {
    const d = declaration(context.imports.get(type));
    if (!d.name || !value || typeof value !== "object" || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (!d.fields.has(k)) problems.push(`${where}.${k}: not a field of ${d.name}`);
      else strictFields(v, d.fields.get(k), d, `${where}.${k}`, problems);
    }
  }
}

// ---- What Argo's lint resolves.

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;  // templates and tasks, at most 128
const PARAMETER_NAME = /^[-a-zA-Z0-9_]+$/;

function references(w, problems) {
  const spec = w.spec ?? {};
  const templates = new Map();
  for (const t of spec.templates ?? []) {
    if (templates.has(t.name)) problems.push(`template ${t.name}: named twice`);
    if (!FIELD_NAME.test(t.name ?? "") || t.name.length > 128) problems.push(`template name ${JSON.stringify(t.name)}`);
    templates.set(t.name, t);
  }
  for (const name of [spec.entrypoint, spec.onExit])
    if (name !== undefined && !templates.has(name)) problems.push(`no template ${name}`);
  const g = w.metadata?.generateName ?? "";
  if (!/^[a-z0-9]([-a-z0-9.]*)?-$/.test(g) || g.length > 58) problems.push(`generateName ${JSON.stringify(g)}`);
  const workflowParameters = new Set((spec.arguments?.parameters ?? []).map((p) => p.name));
  const globals = new Set();
  const inputsOf = (t) => (t?.inputs?.parameters ?? []).map((p) => p.name);
  const outputsOf = (t) => (t?.outputs?.parameters ?? []).map((p) => p.name);
  for (const t of templates.values())
    for (const p of t.outputs?.parameters ?? []) if (p.globalName) globals.add(p.globalName);

  // Each `{{...}}` in a template, a task's arguments aside, names what it
  // may: its inputs, the workflow's parameters and global outputs.
  const variables = (value, allowed, where) => {
    const text = JSON.stringify(value);
    for (const [, v] of text.matchAll(/\{\{([^}]*)\}\}/g)) {
      const ok = allowed(v.trim());
      if (ok !== true) problems.push(`${where}: {{${v}}}: ${ok || "not a variable here"}`);
    }
  };
  const global = (v) => {
    let m;
    if ((m = v.match(/^workflow\.parameters\.(.+)$/))) return workflowParameters.has(m[1]) || "no such parameter";
    if ((m = v.match(/^workflow\.outputs\.parameters\.(.+)$/))) return globals.has(m[1]) || "no such global output";
    return false;
  };
  for (const t of templates.values()) {
    // Argo's own schema (api/jsonschema/schema.json) requires a container's
    // image, where Kubernetes' requires its name.
    if (t.container && !t.container.image) problems.push(`template ${t.name}: a container without an image`);
    for (const p of [...inputsOf(t), ...outputsOf(t)])
      if (!PARAMETER_NAME.test(p)) problems.push(`template ${t.name}: parameter name ${JSON.stringify(p)}`);
    const { dag, ...rest } = t;
    const inputs = new Set(inputsOf(t));
    const own = (v) => {
      const m = v.match(/^inputs\.parameters\.(.+)$/);
      return m ? inputs.has(m[1]) || "not an input of the template" : global(v);
    };
    variables(rest, own, `template ${t.name}`);
    if (!dag) continue;
    const tasks = new Map();
    for (const task of dag.tasks ?? []) {
      if (tasks.has(task.name)) problems.push(`${t.name}: task ${task.name} named twice`);
      if (!FIELD_NAME.test(task.name ?? "") || task.name.length > 128)
        problems.push(`${t.name}: task name ${JSON.stringify(task.name)}`);
      tasks.set(task.name, task);
    }
    const ancestors = new Map();  // task -> every task it waits for
    const visiting = new Set();
    const above = (name) => {
      if (ancestors.has(name)) return ancestors.get(name);
      if (visiting.has(name)) {
        problems.push(`${t.name}: the dependencies of ${name} form a cycle`);
        return new Set();
      }
      visiting.add(name);
      const all = new Set();
      for (const d of tasks.get(name).dependencies ?? []) {
        if (!tasks.has(d)) {
          problems.push(`${t.name}: task ${name} depends on ${d}, which is not a task of this DAG`);
          continue;
        }
        all.add(d);
        for (const a of above(d)) all.add(a);
      }
      visiting.delete(name);
      ancestors.set(name, all);
      return all;
    };
    for (const task of tasks.values()) {
      const where = `${t.name}: task ${task.name}`;
      const target = templates.get(task.template);
      if (!target) problems.push(`${where}: no template ${task.template}`);
      const given = (task.arguments?.parameters ?? []).map((p) => p.name);
      for (const p of target?.inputs?.parameters ?? [])
        if (p.value === undefined && p.default === undefined && !given.includes(p.name))
          problems.push(`${where}: input ${p.name} of ${task.template} is not given`);
      for (const p of given)
        if (target && !inputsOf(target).includes(p)) problems.push(`${where}: ${task.template} has no input ${p}`);
      const waits = above(task.name);
      variables(task.arguments ?? {}, (v) => {
        const m = v.match(/^tasks\.([^.]+)\.outputs\.parameters\.(.+)$/);
        if (!m) return own(v);
        if (!waits.has(m[1])) return "a task this one does not wait for";
        return outputsOf(templates.get(tasks.get(m[1]).template)).includes(m[2]) || "no such output";
      }, where);
    }
  }
}

let failed = false;
for (const file of files) {
  const problems = [];
  let doc;
  try {
    doc = yaml.load(fs.readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`not YAML: ${e.message}`);
  }
  if (doc) {
    try {
      new Workflow(doc).validate();
    } catch (e) {
      problems.push(...e.message.split(", ").map((p) => `schema: ${p}`));
    }
    strictFields(doc, "IWorkflow", { imports: new Map([["IWorkflow", path.join(models, "Workflow.d.ts")]]) },
                 "", problems);
    references(doc, problems);
  }
  if (problems.length) failed = true;
  console.log(problems.length ? `${file}:\n  ${problems.join("\n  ")}` : `${file}: ok`);
}
process.exit(failed ? 1 : 0);
