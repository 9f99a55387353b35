// Runs the one job of a GitHub Actions workflow file on this machine, the way
// the hosted runner would for what the job uses:
//   - `run:` steps go to `bash --noprofile --norc -eo pipefail` in the
//     working directory (job `env:` and `working-directory:` honoured);
//   - `if:` may be absent (success()), `success()`, `failure()` or `always()`;
//   - `actions/checkout` and `actions/setup-node` are left to the caller
//     (the checkout is prepared, node is on PATH);
//   - `actions/upload-artifact` copies `with.path` into ARTIFACTS_DIR/<name>
//     and fails when the path is missing, as the action does by default.
// Anything else is an error, so a step this runner cannot run never passes
// unnoticed. `${{ … }}` values in the job's env must be given by the caller
// in the environment under the same name.
//
//   node runner.mjs WORKFLOW.yml WORKSPACE [--skip NAME] [--only NAME]
//
// Prints one line per step and exits 0 when the job succeeded, 1 when it
// failed, 2 on a workflow this runner does not understand.
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {parse} from 'yaml';

function die(msg) {
  console.error(`runner: ${msg}`);
  process.exit(2);
}

function parseArgs(argv) {
  const [workflow, workspace, ...rest] = argv;
  if (!workflow || !workspace) die('usage: node runner.mjs WORKFLOW.yml WORKSPACE [--skip NAME] [--only NAME]');
  const opts = {workflow, workspace: path.resolve(workspace), skip: new Set(), only: null};
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i + 1] === undefined) die(`${rest[i]} needs a step name`);
    if (rest[i] === '--skip') opts.skip.add(rest[i + 1]);
    else if (rest[i] === '--only') opts.only = rest[i + 1];
    else die(`unknown argument ${rest[i]}`);
  }
  return opts;
}

function theJob(doc) {
  const jobs = Object.entries(doc?.jobs ?? {});
  if (jobs.length !== 1) die(`expected exactly one job, found ${jobs.length}`);
  return jobs[0][1];
}

function jobEnv(job) {
  const env = {};
  for (const [key, value] of Object.entries(job.env ?? {})) {
    const text = String(value);
    if (!text.includes('${{')) env[key] = text;
    else if (process.env[key] !== undefined) env[key] = process.env[key];
    else die(`job env ${key} is an expression (${text}); give it in the environment`);
  }
  return env;
}

function shouldRun(step, failed) {
  const cond = String(step.if ?? 'success()').replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  if (cond === 'success()') return !failed;
  if (cond === 'failure()') return failed;
  if (cond === 'always()') return true;
  return die(`step "${stepName(step)}": unsupported if: ${cond}`);
}

function stepName(step) {
  return step.name ?? step.uses ?? String(step.run).split('\n')[0];
}

function runShell(step, env, workspace) {
  const cwd = path.resolve(workspace, step['working-directory'] ?? '.');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
    cwd, env: {...process.env, ...env, GITHUB_WORKSPACE: workspace}, stdio: 'inherit',
  });
  return result.status === 0;
}

function uploadArtifact(step, workspace) {
  const {name, path: wanted} = step.with ?? {};
  if (!name || !wanted) die(`step "${stepName(step)}": upload-artifact needs with.name and with.path`);
  const dir = process.env.ARTIFACTS_DIR;
  if (!dir) die('ARTIFACTS_DIR is not set');
  const source = path.resolve(workspace, wanted);
  if (!fs.existsSync(source)) {
    console.error(`runner: upload-artifact: no files were found with the provided path: ${wanted}`);
    return false;
  }
  fs.mkdirSync(path.join(dir, name), {recursive: true});
  fs.cpSync(source, path.join(dir, name, path.basename(source)), {recursive: true});
  return true;
}

function runUses(step, workspace) {
  const action = String(step.uses).replace(/@.*$/, '');
  if (action === 'actions/checkout' || action === 'actions/setup-node') {
    console.log(`step: ${stepName(step)}: prepared by the caller`);
    return true;
  }
  if (action === 'actions/upload-artifact') return uploadArtifact(step, workspace);
  return die(`step "${stepName(step)}": unsupported action ${step.uses}`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const job = theJob(parse(fs.readFileSync(opts.workflow, 'utf8')));
  const env = jobEnv(job);
  const steps = job.steps ?? [];
  for (const wanted of [...opts.skip, ...(opts.only ? [opts.only] : [])]) {
    if (!steps.some((s) => stepName(s) === wanted)) die(`no step named "${wanted}"`);
  }
  let failed = false;
  for (const step of steps) {
    const name = stepName(step);
    const selected = opts.only ? name === opts.only : !opts.skip.has(name);
    if (!selected || !shouldRun(step, failed)) {
      console.log(`step: ${name}: skipped`);
      continue;
    }
    console.log(`step: ${name}: running`);
    const ok = step.run !== undefined ? runShell(step, env, opts.workspace) : runUses(step, opts.workspace);
    console.log(`step: ${name}: ${ok ? 'succeeded' : 'failed'}`);
    failed ||= !ok;
  }
  process.exit(failed ? 1 : 0);
}

main();
