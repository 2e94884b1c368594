// The Node.js peer: a chat client the way twurple's docs build one (npm @twurple/eventsub-ws).
//
// Installed only into bench/twurple/node_modules by `make bench` (never in CI, never in focus's .venv).
// Its EventSubWsListener is pointed at the simulator through its `url` option (the one its docs give for a test
// server); twurple has no option for the Helix and OAuth hosts short of its Twitch CLI mock mode (one port for
// both, under other paths than the simulator's), so its calls to Twitch's hosts are sent to the simulator's
// API and OAuth URLs instead, below its own `fetch`.  One console.log per chat message: on a pipe Node writes
// each one at once, as the Python clients' flushed print does.  Reads focus's environment variables.
import { ApiClient } from '@twurple/api';
import { StaticAuthProvider } from '@twurple/auth';
import { EventSubWsListener } from '@twurple/eventsub-ws';

const env = process.env;
const hosts = [
  ['https://api.twitch.tv/helix/', env.TWITCH_API_URL.replace(/\/?$/, '/')],
  ['https://id.twitch.tv/oauth2/', env.TWITCH_AUTH_URL.replace(/\/?$/, '/')],
];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  for (const [twitch, sim] of hosts) {
    if (url.startsWith(twitch)) {
      url = sim + url.slice(twitch.length);
      break;
    }
  }
  return realFetch(url, init);
};

const userId = env.TWITCH_USER_ID;
const authProvider = new StaticAuthProvider(env.TWITCH_CLIENT_ID, env.TWITCH_USER_ACCESS_TOKEN);
const apiClient = new ApiClient({ authProvider });
const listener = new EventSubWsListener({ apiClient, url: env.TWITCH_EVENTSUB_URL });
listener.onChannelChatMessage(userId, userId, event => {
  console.log(`${event.chatterDisplayName}: ${event.messageText}`);
});
listener.start();
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
