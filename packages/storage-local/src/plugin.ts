import { definePlugin } from '@dify-logs/core/adapter-kit';

/** `storage.type: local` (the default): files under `storage.baseDir`. No section of its own. */
export const plugin = definePlugin({
  kind: 'storage',
  type: 'local',
  description: 'files under storage.baseDir',
  async create(_section: undefined, context) {
    const { createLocalStorage } = await import('./local-storage.js');
    return createLocalStorage({ baseDir: context.baseDir });
  },
});
