/**
 * The entry of the GPU machine's bundle (`npm run bench -- device_bundle`): the device check, with TensorFlow.js's
 * WebGPU backend imported by name so that esbuild bundles it beside the one tfjs-core.
 */
import deviceCheck from './device.js';

await deviceCheck(process.argv.slice(2), { importWebgpu: () => import('@tensorflow/tfjs-backend-webgpu') });
