/**
 * A trained network's state-0 forward weights as a standard tfjs LayersModel (Dense layers only), so
 * it runs anywhere TensorFlow.js does. relu∘tanh has no Keras name: it becomes Dense(tanh) + ReLU.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BlurActivation } from './blur_options.js';

export interface DenseLayerWeights {
  /** n×m, row-major (input-major, as a Dense kernel). */
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
}

const KERAS_ACTIVATION: Record<Exclude<BlurActivation, 'relu_tanh'>, string> = {
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  identity: 'linear',
};

/** Sequential model computing the same forward pass as the weights with these activations. */
export function denseModel(tf: typeof tfjs, layers: readonly DenseLayerWeights[], hidden: BlurActivation, output: BlurActivation): tfjs.Sequential {
  const model = tf.sequential();
  layers.forEach((w, l) => {
    const act = l + 1 < layers.length ? hidden : output;
    const dense = tf.layers.dense({
      units: w.outputs,
      activation: (act === 'relu_tanh' ? 'tanh' : KERAS_ACTIVATION[act]) as 'linear',
      ...(l === 0 ? { inputShape: [w.inputs] } : {}),
    });
    model.add(dense);
    tf.tidy(() => dense.setWeights([tf.tensor2d(w.kernel, [w.inputs, w.outputs]), tf.tensor1d(w.bias)]));
    if (act === 'relu_tanh') model.add(tf.layers.reLU());
  });
  return model;
}
