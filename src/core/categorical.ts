/**
 * A search space of categorical variables, as a genome kind declares it (`GenomeKind.categorical`) for the
 * strategies that search categories directly (a GA) rather than real vectors. A strategy sees this and
 * never the kind's own encoding: each variable is a choice among `categories[v]` options and owns the next
 * `categories[v]` coordinates of x, its logits. A choice is written one-hot (1 at the chosen category, 0
 * elsewhere) and read back by argmax, so a real-valued strategy (CMA-ES on the logits) and a categorical one
 * search the same vectors, which the kind decodes alike.
 */

export interface CategoricalSpace {
  /** Categories of each variable, in x order (each ≥ 1); their sum is the length of x. */
  categories: number[];
}

/** Checks a declared space against the search dimension n; the error names `who` and the fix. */
export function checkCategoricalSpace(space: CategoricalSpace, n: number, who: string): CategoricalSpace {
  const k = space?.categories;
  if (!Array.isArray(k) || k.length === 0 || k.some((c) => typeof c !== 'number' || !Number.isInteger(c) || c < 1))
    throw new Error(`${who}: the categorical space must list at least one variable, each with an integer number of categories ≥ 1 (got ${JSON.stringify(k)})`);
  const total = k.reduce((a, c) => a + c, 0);
  if (total !== n) throw new Error(`${who}: the categorical space has ${total} logits (${k.length} variables) but the search vector has ${n} numbers`);
  return { categories: k.slice() };
}

/** One row of logits per variable: 1 at the chosen category, 0 elsewhere. */
export function encodeCategories(space: CategoricalSpace, values: readonly number[]): number[] {
  const x: number[] = [];
  space.categories.forEach((k, v) => {
    for (let c = 0; c < k; c++) x.push(c === values[v] ? 1 : 0);
  });
  return x;
}

/** The argmax of each variable's logits; the first maximum wins ties and NaN never wins. */
export function decodeCategories(space: CategoricalSpace, x: readonly number[]): number[] {
  const values: number[] = [];
  let at = 0;
  for (const k of space.categories) {
    const logit = (c: number): number => (Number.isNaN(x[at + c]!) ? -Infinity : x[at + c]!);
    let best = 0;
    for (let c = 1; c < k; c++) if (logit(c) > logit(best)) best = c;
    values.push(best);
    at += k;
  }
  return values;
}
