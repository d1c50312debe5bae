/**
 * parquet-wasm writer properties for Delta data files, shared by the inline
 * writer and the worker threads (see `parquet-write.ts` for the choices).
 */
import * as pw from 'parquet-wasm';

export type ParquetCompression = 'snappy' | 'zstd' | 'uncompressed';

/** Plain data (it crosses to worker threads) describing the writer properties. */
export interface PropsInput {
  compression: ParquetCompression;
  rowGroupSize?: number;
  createdBy: string;
  /** Columns written without dictionary encoding (floating point). */
  noDictionary: string[];
}

const COMPRESSION: Record<ParquetCompression, pw.Compression> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  uncompressed: pw.Compression.UNCOMPRESSED,
};

export function writerProperties(input: PropsInput): pw.WriterProperties {
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[input.compression])
    .setDictionaryEnabled(true)
    // Row-group statistics only: Spark still prunes row groups with them, and skipping
    // the page index saves work (Delta's own file stats come from stats.ts).
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setCreatedBy(input.createdBy);
  if (input.rowGroupSize) builder = builder.setMaxRowGroupSize(input.rowGroupSize);
  for (const name of input.noDictionary) builder = builder.setColumnDictionaryEnabled(name, false);
  return builder.build();
}
