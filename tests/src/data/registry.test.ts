import test from 'ava';
import { UsageError } from '../../../src/core/errors.js';
import { loadImageDataset, IMAGE_DATASETS } from '../../../src/data/registry.js';
import { loadMnist } from '../../../src/data/mnist.js';

test('unknown names and options list the valid ones', (t) => {
  t.deepEqual([...IMAGE_DATASETS], ['mnist', 'fashion-mnist']);
  const e = t.throws(() => loadImageDataset('cifar10'), { instanceOf: UsageError });
  t.is(e!.message, "unknown image dataset 'cifar10'; valid image datasets: mnist, fashion-mnist");
  t.throws(() => loadImageDataset('mnist', { trian: 5 } as never), { instanceOf: UsageError, message: /'trian'.*train, test, classes, downsample/ });
});

test('plain loads come from the loader cache; derived ones are cached too', (t) => {
  t.is(loadImageDataset('mnist', { train: 300, test: 100 }), loadMnist({ train: 300, test: 100 }));
  const d = loadImageDataset('mnist', { train: 300, test: 100, classes: [3, 5], downsample: 2 });
  t.is(d.width, 14);
  t.is(d.height, 14);
  t.is(d.numClasses, 2);
  t.deepEqual(d.classNames, ['3', '5']);
  t.true(d.train.labels.every((l) => l < 2));
  t.is(d.train.images.length, d.train.labels.length * 196);
  t.is(loadImageDataset('mnist', { train: 300, test: 100, classes: [3, 5], downsample: 2 }), d);
  t.throws(() => loadImageDataset('mnist', { train: 10, downsample: 5 }), { instanceOf: UsageError, message: /1, 2, 4, 7, 14, 28/ });
  const f = loadImageDataset('fashion-mnist', { train: 40, test: 20, classes: [9] });
  t.is(f.numClasses, 1);
  t.deepEqual(f.classNames, ['Ankle boot']);
  t.is(f.train.labels.length, 4);
});
