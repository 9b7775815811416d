import { api, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import type { PhoneCredentials, PhoneEvent, SipPhone } from './sip-phone.js';
import { pt } from './softphone.i18n.js';

const ON_KEY = 'rw.browserPhone';
const AUTO_KEY = 'rw.browserPhone.autoAnswer';

/**
 * The agent desk's browser phone: a switch (remembered in this browser), the phone's status,
 * answer / mute / hang up, and a line saying the media is DTLS-SRTP while a call is up. The SIP
 * library is imported only when the switch is on. Credentials come fresh from the API each time
 * the phone starts (POST /v1/agents/me/softphone) and live only in this page's memory.
 */
export function softphonePanel(): { el: HTMLElement; stop(): void } {
  const status = h('p', { role: 'status', class: 'phone-status', 'data-phone': 'off' }, pt('off'));
  const media = h('p', { class: 'phone-media', hidden: true });
  const audio = h('audio', { autoplay: true });
  const enable = h('input', { type: 'checkbox', id: 'phone-on', checked: localStorage.getItem(ON_KEY) === '1' });
  const auto = h('input', { type: 'checkbox', id: 'phone-auto', checked: localStorage.getItem(AUTO_KEY) === '1' });
  const buttons = h('div', { class: 'row' });
  let phone: SipPhone | null = null;
  let muted = false;
  let statsTimer: ReturnType<typeof setInterval> | undefined;

  const show = (state: string, text: string) => {
    status.dataset['phone'] = state;
    status.textContent = text;
  };
  const button = (label: string, onclick: () => void, primary = false) => h('button', { type: 'button', class: primary ? 'primary' : null, onclick }, label);
  const callButtons = (state: 'ringing' | 'in_call' | 'idle') =>
    replace(
      buttons,
      state === 'ringing' ? button(pt('answer'), () => phone?.answer(), true) : null,
      state === 'in_call'
        ? button(muted ? pt('unmute') : pt('mute'), () => {
            muted = !muted;
            phone?.setMuted(muted);
            show('in_call', muted ? pt('muted') : pt('inCall'));
            callButtons('in_call');
          })
        : null,
      state !== 'idle' ? button(pt('hangUp'), () => phone?.hangUp()) : null,
    );
  const watchMedia = () => {
    statsTimer = setInterval(() => {
      void phone?.stats().then((s) => {
        if (!s) return;
        media.hidden = false;
        media.dataset['dtls'] = s.dtlsState;
        media.dataset['bytes'] = String(s.bytesReceived);
        media.textContent = pt('media', { dtls: `DTLS ${s.dtlsState}`, cipher: s.srtpCipher || 'SRTP', kb: Math.round(s.bytesReceived / 1024) });
      });
    }, 1000);
  };
  const onEvent = (e: PhoneEvent) => {
    if (e.type === 'registered') show('registered', pt('registered'));
    else if (e.type === 'unregistered') show('unregistered', pt('unregistered'));
    else if (e.type === 'ringing') {
      show('ringing', pt('ringing'));
      callButtons('ringing');
      if (auto.checked) phone?.answer();
    } else if (e.type === 'in_call') {
      muted = false;
      show('in_call', pt('inCall'));
      callButtons('in_call');
      watchMedia();
    } else {
      clearInterval(statsTimer);
      callButtons('idle');
      if (e.type === 'failed') show('failed', pt('failed', { m: e.cause }));
      else show('ended', pt('ended'));
    }
  };

  const start = async () => {
    show('loading', pt('loading'));
    try {
      // The microphone first: without it there is no point registering (nobody could talk).
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of mic.getTracks()) track.stop();
    } catch (e) {
      show('failed', pt('noMic', { m: (e as Error).message }));
      return;
    }
    try {
      const [{ startSipPhone }, creds] = await Promise.all([import('./sip-phone.js'), api<PhoneCredentials>('POST', '/v1/agents/me/softphone')]);
      if (!enable.checked) return;
      show('connecting', pt('connecting'));
      phone = startSipPhone(creds, audio, onEvent);
      // Closing the tab unregisters (best effort): calls stop ringing a browser nobody watches.
      window.addEventListener('pagehide', stop);
    } catch (e) {
      show('failed', pt('failed', { m: e instanceof ApiError ? e.message : String(e) }));
    }
  };
  const stop = () => {
    window.removeEventListener('pagehide', stop);
    clearInterval(statsTimer);
    phone?.stop();
    phone = null;
    media.hidden = true;
    callButtons('idle');
    show('off', pt('off'));
  };
  enable.addEventListener('change', () => {
    localStorage.setItem(ON_KEY, enable.checked ? '1' : '0');
    if (enable.checked) void start();
    else stop();
  });
  auto.addEventListener('change', () => localStorage.setItem(AUTO_KEY, auto.checked ? '1' : '0'));
  if (enable.checked) void start();

  const el = h(
    'section',
    { class: 'phone', 'aria-label': pt('phone') },
    h('h2', {}, pt('phone')),
    h('div', { class: 'row' }, h('label', {}, enable, ' ', pt('enable')), h('label', {}, auto, ' ', pt('autoAnswer'))),
    status,
    buttons,
    media,
    audio,
  );
  return { el, stop };
}
