/**
 * The smallest typed GraphQL-over-HTTP client: POST a TypedDocumentNode, get typed data or an error
 * that says what went wrong (HTTP status, GraphQL errors). Used by the CLI; subscriptions go through
 * graphql-ws.
 */

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface HttpClient {
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult>;
}

export function createHttpClient(url: string, options: { apiKey?: string } = {}): HttpClient {
  return {
    async request(document, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const text = await response.text();
      let body: { data?: unknown; errors?: { message: string }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new GraphQLRequestError(
          `${url} answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`,
          response.status,
        );
      }
      if (body.errors?.length) {
        throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), response.status);
      }
      if (!response.ok || body.data === undefined) {
        throw new GraphQLRequestError(`${url} answered ${response.status}`, response.status);
      }
      return body.data as never;
    },
  };
}
