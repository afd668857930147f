import { type UpstreamClient, type UpstreamRequest, upstreamFailure } from '@obs/service-kit';
import type { Response } from 'express';

/**
 * Forwards one public request to the service that owns it and answers with the
 * service's status and body. A client error (4xx) is passed on unchanged; a
 * service failure becomes 502, or stays 503/504.
 */
export async function relay<T>(
  client: UpstreamClient,
  path: string,
  response: Response,
  request: UpstreamRequest = {},
): Promise<T> {
  const upstream = await client.request<T>(path, request);
  if (upstream.status >= 500) throw upstreamFailure(client.name, upstream);
  response.status(upstream.status);
  return upstream.body;
}
