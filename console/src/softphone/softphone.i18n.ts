import { currentLang } from '../i18n.js';

/** The browser phone's words, kept beside it (the console's dictionary stays the pages'). */
const en = {
  phone: 'Browser phone',
  enable: 'Use the browser phone',
  autoAnswer: 'Answer automatically',
  answer: 'Answer',
  hangUp: 'Hang up',
  mute: 'Mute',
  unmute: 'Unmute',
  off: 'Off',
  loading: 'Loading the phone…',
  connecting: 'Connecting…',
  registered: 'Ready: calls ring here',
  unregistered: 'Not registered',
  ringing: 'Incoming call',
  inCall: 'On a call',
  muted: 'On a call (muted)',
  ended: 'Call ended',
  failed: 'Phone error: {m}',
  media: 'Media: {dtls}, {cipher}, {kb} KB received',
  noMic: 'The browser gave no microphone: {m}',
  webrtcAgent: 'Answers in the browser (WebRTC)',
};
type PhoneKey = keyof typeof en;

const zh: Record<PhoneKey, string> = {
  phone: '浏览器电话',
  enable: '使用浏览器电话',
  autoAnswer: '自动接听',
  answer: '接听',
  hangUp: '挂断',
  mute: '静音',
  unmute: '取消静音',
  off: '未开启',
  loading: '正在加载电话…',
  connecting: '正在连接…',
  registered: '就绪：来电将在此振铃',
  unregistered: '未注册',
  ringing: '来电',
  inCall: '通话中',
  muted: '通话中（已静音）',
  ended: '通话已结束',
  failed: '电话错误：{m}',
  media: '媒体：{dtls}，{cipher}，已接收 {kb} KB',
  noMic: '浏览器未提供麦克风：{m}',
  webrtcAgent: '在浏览器中接听（WebRTC）',
};

export function pt(key: PhoneKey, vars: Record<string, string | number> = {}): string {
  const d = currentLang() === 'zh-CN' ? zh : en;
  return d[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
