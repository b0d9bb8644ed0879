/**
 * Tencent Cloud Chat REST hosts per region. The region is fixed by where the SDKAppID was created; calling
 * the wrong region's host answers 70016/70020. The backup host is what Tencent tells customers to use when
 * the primary name does not resolve or refuses connections.
 */
export const REGION_HOSTS = {
  china: { primary: 'console.tim.qq.com', backup: 'adminapi.my-imcloud.com' },
  singapore: { primary: 'adminapisgp.im.qcloud.com', backup: 'adminapisgp.my-imcloud.com' },
  seoul: { primary: 'adminapikr.im.qcloud.com', backup: 'adminapikr.my-imcloud.com' },
  tokyo: { primary: 'adminapijpn.im.qcloud.com', backup: 'adminapijpn.my-imcloud.com' },
  frankfurt: { primary: 'adminapiger.im.qcloud.com', backup: 'adminapiger.my-imcloud.com' },
  mumbai: { primary: 'adminapiind.im.qcloud.com', backup: 'adminapiind.my-imcloud.com' },
  'silicon-valley': { primary: 'adminapiusa.im.qcloud.com', backup: 'adminapiusa.my-imcloud.com' },
  jakarta: { primary: 'adminapiidn.im.qcloud.com', backup: 'adminapiidn.my-imcloud.com' },
  // The Riyadh backup host is only seen in third-party code; it is tried only after the primary fails to connect.
  riyadh: { primary: 'adminapiksa.im.qcloud.com', backup: 'adminapiksa.my-imcloud.com' },
} as const satisfies Record<string, { primary: string; backup: string }>;

export type Region = keyof typeof REGION_HOSTS;
export const REGIONS = Object.keys(REGION_HOSTS) as Region[];

/** Where requests go: a base URL (origin plus an optional path prefix) and, for real regions, a backup. */
export interface ImEndpoint {
  primary: URL;
  backup?: URL;
}

export function regionEndpoint(region: Region): ImEndpoint {
  const hosts = REGION_HOSTS[region];
  return { primary: new URL(`https://${hosts.primary}/`), backup: new URL(`https://${hosts.backup}/`) };
}
