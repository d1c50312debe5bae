/**
 * The user's Stillwater settings (schema/pipelines.json), as a small model that emits
 * when they change so open tag bars and the next run follow them.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { type ISignal, Signal } from '@lumino/signaling';

export type CachePolicy = 'use-cache' | 'no-cache';

export interface StillwaterSettingsValues {
  /** Lakehouse root for runs ("" = the notebook's own `metadata.stillwater.lakehouseRoot` or the runner default). */
  lakehouseRoot: string;
  /** Steps run at once (0 = the runner's default, the number of cores). */
  concurrency: number;
  cachePolicy: CachePolicy;
  showTagBars: boolean;
}

export const DEFAULT_SETTINGS: StillwaterSettingsValues = {
  lakehouseRoot: '',
  concurrency: 0,
  cachePolicy: 'use-cache',
  showTagBars: true,
};

export class StillwaterSettings {
  private _values: StillwaterSettingsValues = { ...DEFAULT_SETTINGS };
  private readonly _changed = new Signal<this, StillwaterSettingsValues>(this);

  get values(): Readonly<StillwaterSettingsValues> {
    return this._values;
  }
  get changed(): ISignal<this, StillwaterSettingsValues> {
    return this._changed;
  }

  update(values: Partial<StillwaterSettingsValues>): void {
    this._values = { ...this._values, ...values };
    this._changed.emit(this._values);
  }

  /** Follows a loaded settings object from the registry. */
  follow(settings: ISettingRegistry.ISettings): void {
    const read = () => this.update(settings.composite as unknown as Partial<StillwaterSettingsValues>);
    settings.changed.connect(read);
    read();
  }
}
