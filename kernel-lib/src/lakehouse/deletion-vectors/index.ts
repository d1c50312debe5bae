export * from './descriptor.js';
export * from './dv-file.js';
export * from './encode-path.js';
export * from './roaring.js';
export * from './z85.js';
export * from './apply.js';
