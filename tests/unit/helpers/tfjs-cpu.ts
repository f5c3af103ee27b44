import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/**
 * Selects TF.js's CPU backend for an oracle test, silencing the one-time hint TF.js prints about
 * tfjs-node when it finds itself in Node.
 */
export async function readyTfjsCpu(): Promise<void> {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    await tf.setBackend('cpu');
    await tf.ready();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}
