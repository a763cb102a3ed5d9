/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Life cycle of an order. */
export type OrderStatus =
  /** Cancelled before delivery. */
  | 'CANCELLED'
  /** Arrived. */
  | 'DELIVERED'
  /** Paid, not shipped yet. */
  | 'PAID'
  /** Placed, not paid yet. */
  | 'PENDING'
  /** On its way. */
  | 'SHIPPED';

/** Loyalty tier of a user, lowest first. */
export type Tier =
  /** Second loyalty tier. */
  | 'GOLD'
  /** Highest loyalty tier. */
  | 'PLATINUM'
  /** First loyalty tier. */
  | 'SILVER'
  /** No loyalty benefits yet. */
  | 'STANDARD';

export type DashboardQueryVariables = Exact<{
  userId: string | number;
  orders?: number | null | undefined;
}>;


export type DashboardQuery = { dashboard: { userId: string, profile: { name: string, tier: Tier, memberSince: string } | null, orders: Array<{ id: string, status: OrderStatus, placedAt: string, total: { formatted: string }, items: Array<{ quantity: number, product: { name: string } | null }> }> | null, wallet: { loyaltyPoints: number } | null } };

export type DeferredDashboardQueryVariables = Exact<{
  userId: string | number;
  orders?: number | null | undefined;
}>;


export type DeferredDashboardQuery = { dashboard: { userId: string, profile: { name: string, tier: Tier } | null } & ({ orders: Array<{ id: string, status: OrderStatus, total: { formatted: string } }> | null } | { orders?: never }) };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const DashboardDocument = {"__meta__":{"hash":"sha256:008a4fad6c9755fa844d3436e0961e53c008c32e4f482a706042ac792e35743a"}} as unknown as TypedDocumentString<DashboardQuery, DashboardQueryVariables>;
export const DeferredDashboardDocument = {"__meta__":{"hash":"sha256:e15878afe06200302a92812a172659fb36b71ce607f0ce6aca9cbf0c4ff1fa1d"}} as unknown as TypedDocumentString<DeferredDashboardQuery, DeferredDashboardQueryVariables>;