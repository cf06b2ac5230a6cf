// One load run that timed out or failed is not the whole bench's failure: the scenario is marked
// and run again, up to `attempts` times; what still fails is reported as failed, and the run goes on.
"use strict";

/** Why a run's result cannot be used: requests that timed out or failed, non-2xx answers. */
function problemOf(result) {
  if (result.non2xx > 0) return `${result.non2xx} non-2xx answers`;
  if (result.errors) return `errors: ${result.errors}`;
  if (!(result.requests > 0)) return "no request completed";
  return undefined;
}

/**
 * Runs `runOnce()` (a promise of a load result) until one result has no problem, at most
 * `attempts` times. A thrown error (wrk killed by its timeout) counts as a failed attempt.
 * @returns {Promise<{ result?: object, attempts: number, problems: string[] }>} `result` is
 *   undefined when every attempt failed; `problems` lists each failed attempt's reason.
 * @param {(attempt: number) => Promise<any>} runOnce
 * @param {{ attempts?: number, onRetry?: (attempt: number, problem: string) => void }} [options]
 */
async function runWithRetry(runOnce, { attempts = 3, onRetry = () => undefined } = {}) {
  const problems = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let problem;
    try {
      const result = await runOnce(attempt);
      problem = problemOf(result);
      if (!problem) return { result, attempts: attempt, problems };
    } catch (error) {
      problem = String(error instanceof Error ? error.message : error).split("\n")[0];
    }
    problems.push(problem);
    if (attempt < attempts) onRetry(attempt, problem);
  }
  return { result: undefined, attempts, problems };
}

module.exports = { runWithRetry, problemOf };
