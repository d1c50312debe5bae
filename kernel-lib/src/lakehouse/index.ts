export * from './actions.js';
export * from './errors.js';
export * from './storage/local.js';
export * from './storage/storage.js';
