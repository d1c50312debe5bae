/**
 * `@stillwater/kernel/notebook`: rich displays for the tslab kernel — Arrow
 * tables and Delta table handles as HTML, charts as SVG. Outside a kernel the
 * `show*` functions print plain-text summaries instead.
 */
export { confusionMatrixSvg, featureImportanceSvg, rocCurveSvg, sensorTrendSvg } from './charts.js';
export { inKernel, showHtml, showMarkdown, showSvg, tslabDisplay } from './display.js';
export { NotebookError } from './errors.js';
export { escapeXml } from './escape.js';
export { deltaTableHtml, deltaTableText, showDeltaTable, showTable, tableHtml, tableText } from './table-html.js';
