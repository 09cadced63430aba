import test from 'ava';
import { blurMnistTask, blurFashionMnistTask } from '../../../tasks/blur/blur_tasks.js';

// The engine resolves the task config in the main thread and each worker thread resolves the result again.
test('blur image task: a resolved config resolves again to itself', (t) => {
  const c = blurMnistTask.resolveConfig({ ways: 3, hidden: [8], unrollSteps: 4 });
  t.is(c.dataset, 'mnist');
  t.deepEqual(blurMnistTask.resolveConfig(JSON.parse(JSON.stringify(c)) as Record<string, unknown>), c);
});

test("blur image task: a resolved config of another dataset's task is refused", (t) => {
  const c = blurMnistTask.resolveConfig({});
  t.throws(() => blurFashionMnistTask.resolveConfig(c as unknown as Record<string, unknown>), { message: /trains on fashion-mnist, not "mnist"/ });
});
