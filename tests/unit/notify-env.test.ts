/** The notification settings of `npm start`, the allowed hosts and the masking of robot keys in reads. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFY_HOSTS, maskUrl, notifyHostsFromEnv, urlProblems } from '../../server/notify/channels.ts';
import { notifyOptionsFromEnv } from '../../server/notify/env.ts';

describe('notification settings', () => {
  it('GEZHI_NOTIFY=0 turns the worker off; the others are read and checked', () => {
    expect(notifyOptionsFromEnv({ GEZHI_NOTIFY: '0' })).toBeNull();
    expect(notifyOptionsFromEnv({})).toEqual({ publicUrl: undefined, maxAttempts: undefined, backoffMs: undefined, concurrency: undefined });
    expect(notifyOptionsFromEnv({ GEZHI_PUBLIC_URL: 'https://gezhi.yuhu.gov.cn', GEZHI_NOTIFY_MAX_ATTEMPTS: '3', GEZHI_NOTIFY_BACKOFF_MS: '1000', GEZHI_NOTIFY_CONCURRENCY: '2' }))
      .toEqual({ publicUrl: 'https://gezhi.yuhu.gov.cn', maxAttempts: 3, backoffMs: 1000, concurrency: 2 });
    expect(() => notifyOptionsFromEnv({ GEZHI_NOTIFY_MAX_ATTEMPTS: '0' })).toThrow('GEZHI_NOTIFY_MAX_ATTEMPTS must be a whole number from 1 to 100, got "0"');
    expect(() => notifyOptionsFromEnv({ GEZHI_PUBLIC_URL: 'gezhi.local' })).toThrow('GEZHI_PUBLIC_URL must be an http(s) URL');
  });

  it('channel URLs: the robots\' hosts by default, GEZHI_NOTIFY_HOSTS otherwise; https off this machine', () => {
    expect(notifyHostsFromEnv({})).toEqual([...DEFAULT_NOTIFY_HOSTS]);
    expect(notifyHostsFromEnv({ GEZHI_NOTIFY_HOSTS: ' Hooks.Yuhu.gov.cn , 127.0.0.1:8080 ' })).toEqual(['hooks.yuhu.gov.cn', '127.0.0.1:8080']);
    expect(urlProblems('webhook', 'https://hooks.yuhu.gov.cn/x', ['hooks.yuhu.gov.cn'])).toEqual([]);
    expect(urlProblems('webhook', 'http://127.0.0.1:8080/x', ['127.0.0.1:8080'])).toEqual([]);
    expect(urlProblems('webhook', 'http://127.0.0.1:9090/x', ['127.0.0.1:8080']).map((p) => p.detail)).toEqual([expect.stringContaining('host 127.0.0.1:9090 is not one')]);
    expect(urlProblems('webhook', 'https://u:p@hooks.yuhu.gov.cn/x', ['hooks.yuhu.gov.cn']).map((p) => p.detail)).toEqual(['must not carry a user name or password']);
    expect(urlProblems('webhook', 'not a url', []).map((p) => p.detail)).toEqual(['is not a URL']);
  });

  it('reads mask the key or token of a robot URL, keeping its last four characters', () => {
    expect(maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'))
      .toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa');
    expect(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=abcdef0123')).toBe('https://oapi.dingtalk.com/robot/send?access_token=****0123');
    expect(maskUrl('https://hooks.yuhu.gov.cn/gezhi')).toBe('https://hooks.yuhu.gov.cn/gezhi');
  });
});
