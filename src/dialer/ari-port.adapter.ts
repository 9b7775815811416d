import { isAriError, type AriClient } from './ari.client.js';
import type { AriEvent, AriPort } from './ports.js';

/** The dialer's view of the typed ARI client. */
export function ariPortFrom(client: AriClient): AriPort {
  return {
    app: client.app,
    isConnected: () => client.isConnected,
    onEvent(handler) {
      client.onAny((e) => handler(e as unknown as AriEvent));
    },
    onConnectionChange(handler) {
      client.on('connected', () => handler(true));
      client.on('disconnected', () => handler(false));
    },
    async subscribeChannel(channelId) {
      await client.subscribe(`channel:${channelId}`);
    },
    setVariable: (channelId, name, value) => client.setChannelVar(channelId, name, value),
    async continueInDialplan(channelId, context, extension, priority) {
      await client.http.request('POST', `/channels/${encodeURIComponent(channelId)}/continue`, {
        query: { context, extension, priority },
      });
    },
    async play(channelId, media, playbackId) {
      await client.play(channelId, media, { playbackId });
    },
    stopPlayback: (playbackId) => client.stopPlayback(playbackId),
    async playbackExists(playbackId) {
      try {
        await client.http.request('GET', `/playbacks/${encodeURIComponent(playbackId)}`);
        return true;
      } catch (err) {
        if (isAriError(err, 404)) return false;
        throw err;
      }
    },
    hangup: (channelId) => client.hangup(channelId),
    async originate(p) {
      await client.originate({ endpoint: p.endpoint, channelId: p.channelId, callerId: p.callerId, timeout: p.timeoutSeconds, appArgs: p.appArgs });
    },
    startMoh: (channelId) => client.startMoh(channelId),
    stopMoh: (channelId) => client.stopMoh(channelId),
    async createBridge(bridgeId, type) {
      await client.createBridge({ bridgeId, type });
      await client.subscribe(`bridge:${bridgeId}`);
    },
    addToBridge: (bridgeId, channelIds) => client.addChannel(bridgeId, channelIds),
    destroyBridge: (bridgeId) => client.destroyBridge(bridgeId),
    async recordBridge(bridgeId, name) {
      await client.recordBridge(bridgeId, { name, format: 'wav', ifExists: 'overwrite' });
    },
    async stopRecording(name) {
      await client.http.request('POST', `/recordings/live/${encodeURIComponent(name)}/stop`);
    },
    async listChannels() {
      return (await client.listChannels()).map((c) => ({ id: c.id, state: c.state }));
    },
    async getChannel(channelId) {
      try {
        const c = await client.getChannel(channelId);
        return { id: c.id, state: c.state, dialplan: c.dialplan };
      } catch (err) {
        if (isAriError(err, 404)) return null;
        throw err;
      }
    },
    async listBridges() {
      return (await client.listBridges()).map((b) => ({ id: b.id, channels: b.channels }));
    },
    async moveChannel(channelId, app) {
      await client.http.request('POST', `/channels/${encodeURIComponent(channelId)}/move`, { query: { app } });
    },
  };
}
