/**
 * The Service Discovery document (required by GeoReport v2): where the endpoint is, which formats it answers, how to
 * get a key and whom to contact. Served as discovery.json and discovery.xml (<discovery><endpoints><endpoint>
 * <formats><format>…). `changeset` must change when the service list or a service definition may have changed;
 * both are built into the program, so the time this server started is a safe, sortable value.
 */
import type { Locale } from './mapping.ts';

export const GEOREPORT_V2_SPEC = 'http://wiki.open311.org/GeoReport_v2';

export interface DiscoveryDocument {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: {
    specification: string;
    url: string;
    changeset: string;
    type: 'production' | 'test';
    formats: string[];
  }[];
}

export function discoveryDocument(endpointUrl: string, changeset: string, district: string | null, locale: Locale): DiscoveryDocument {
  const zh = locale === 'zh';
  const place = district ?? (zh ? '本辖区' : 'this jurisdiction');
  return {
    changeset,
    contact: zh
      ? `${place}网格化服务管理中心；市民诉求请拨打 12345 政务服务便民热线`
      : `Grid governance centre of ${place}; residents reach it through the 12345 government service hotline`,
    key_service: zh
      ? '提交请求（POST requests）需要本系统管理员发放的 api_key；查询无需密钥'
      : 'Submitting requests (POST requests) needs an api_key issued by the administrator of this server; reading needs none',
    endpoints: [
      { specification: GEOREPORT_V2_SPEC, url: endpointUrl, changeset, type: 'production', formats: ['text/xml', 'application/json'] },
    ],
  };
}
