import test from 'ava';
import { UsageError } from '../../../src/core/errors.js';
import { DEFAULT_FEWSHOT_SPLIT, fewShotSource } from '../../../src/data/fewshot_episodes.js';
import { finalData, HT_SEARCH_SPLIT, searchData, validateProtocolSplit } from '../../../src/data/few_shot_splits.js';

test('the search split: validation classes disjoint from training and test classes; test = the default held-out classes', (t) => {
  const { train, validation, test: testClasses } = HT_SEARCH_SPLIT;
  t.deepEqual(testClasses, [...DEFAULT_FEWSHOT_SPLIT.test]);
  for (const c of validation) {
    t.false(train.includes(c), `${c} not in train`);
    t.false(testClasses.includes(c), `${c} not in test`);
  }
  t.deepEqual([...train, ...validation].sort((a, b) => a - b), [...DEFAULT_FEWSHOT_SPLIT.train]);
  t.is(validation.length, 5);
});

test('searchData scores on the validation classes; finalData retrains on train ∪ validation and tests on the test classes', (t) => {
  const s = searchData();
  const val = fewShotSource('validation', s.split);
  t.deepEqual(val.classes, HT_SEARCH_SPLIT.validation);
  const labels = new Set(val.split.labels);
  for (const c of HT_SEARCH_SPLIT.test) t.false(labels.has(c), `a search never reads test class ${c}`);
  t.deepEqual(fewShotSource('train', s.split).classes, HT_SEARCH_SPLIT.train);
  const f = finalData();
  t.deepEqual(f.split.train, [...DEFAULT_FEWSHOT_SPLIT.train]);
  t.deepEqual(fewShotSource('test', f.split).classes, HT_SEARCH_SPLIT.test);
});

test('validateProtocolSplit names the overlap and the short side', (t) => {
  const e = t.throws(() => validateProtocolSplit({ train: [0, 1, 2, 3, 4], validation: [5, 6, 7, 8, 9], test: [9, 16, 17, 18, 19] }), { instanceOf: UsageError });
  t.is(e!.message, "split: class 9 is in both split.validation and split.test; the search's validation classes must be disjoint from its training and test classes");
  const short = t.throws(() => validateProtocolSplit({ train: [0, 1, 2, 3, 10], validation: [4, 5], test: [6, 7, 8, 9, 16] }), { instanceOf: UsageError });
  t.regex(short!.message, /^split\.validation must list at least ways = 5 pooled classes/);
  t.throws(() => validateProtocolSplit({ train: [0, 1, 2, 3, 20], validation: [4, 5, 13, 14, 15], test: [6, 7, 8, 9, 16] }), { message: /split\.train: 20 is not a pooled class/ });
});
