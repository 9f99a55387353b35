// Checks that the workflow steps quoted in README.md (its ```yaml blocks
// that are lists of steps) are the same as the steps of the same name in
// docs/ci/memory-budget.yml, so the README cannot drift from the tested file.
//
//   node scripts/ci-example/readme-matches.mjs README.md docs/ci/memory-budget.yml
import fs from 'node:fs';
import {isDeepStrictEqual} from 'node:util';
import {parse} from 'yaml';

const [readmePath, workflowPath] = process.argv.slice(2);
const workflow = parse(fs.readFileSync(workflowPath, 'utf8'));
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
const byName = new Map(steps.filter((s) => s.name).map((s) => [s.name, s]));

const blocks = [...fs.readFileSync(readmePath, 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```/gm)]
  .map((m) => parse(m[1]))
  .filter((doc) => Array.isArray(doc));
let quoted = 0;
let bad = 0;
for (const step of blocks.flat()) {
  quoted += 1;
  const same = byName.get(step.name);
  if (!same) {
    console.error(`readme-matches: README quotes a step "${step.name}" that ${workflowPath} does not have`);
    bad += 1;
  } else if (!isDeepStrictEqual(step, same)) {
    console.error(`readme-matches: README's step "${step.name}" differs from ${workflowPath}`);
    bad += 1;
  }
}
if (quoted === 0) {
  console.error(`readme-matches: README quotes no workflow step`);
  process.exit(1);
}
if (bad > 0) process.exit(1);
console.log(`readme-matches: the ${quoted} workflow steps quoted in ${readmePath} are those of ${workflowPath}`);
