// ESLint for the pages' scripts (make lint): each is a classic browser script (or, worker.js, a
// Web Worker's) inlined into a self-contained page; lab.js is linted as the page assembles it,
// with each method's generator: assembled.py writes them all into build/.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      // top-level functions are the page's globals, used by the page's other scripts
      "no-unused-vars": ["error", { vars: "local", args: "none", caughtErrors: "none" }],
    },
  },
  {
    // the networks, shared by the page and each Web Worker
    files: ["**/worker.js"],
    languageOptions: { globals: globals.worker },
  },
];
