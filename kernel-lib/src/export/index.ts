/** Exports of a compiled pipeline to other orchestrators, and the step image's build context. */
export { toAirflow } from './airflow.js';
export { toArgo } from './argo.js';
export {
  defaultImage,
  EXPORT_TARGETS,
  type ExportOptions,
  type ExportTarget,
  IMAGE_LAYOUT,
  SHARED_STORAGE,
} from './container.js';
export { ExportError, ExportValueError, ImageContextError } from './errors.js';
export { type ExportResult, exportFileName, exportPipeline, writeExport } from './export.js';
export { kfpParameterType, toKfp } from './kfp.js';
export { type ExportFileOptions, exportToFile } from './export-file.js';
export { type ImageContext, writeImageContext } from './image/image-context.js';
