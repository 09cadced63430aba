/**
 * Images with their class labels, as a network reads them. Declared here so that models measure accuracy on
 * whatever the caller hands them (a dataset split is one such value) without importing the data layer.
 */
export interface LabelledImages {
  /** N × pixels, row-major. */
  images: Float32Array;
  /** N class indices. */
  labels: ArrayLike<number>;
}
