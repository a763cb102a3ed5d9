package contract

// DashboardQuery is the whole dashboard of one user, every field of the
// public contract, with the user's id in the variable "id". The REST view
// (GET /dashboard/{userId}) runs it; tests and benchmarks send it as the
// fullest request a client makes.
const DashboardQuery = `query Dashboard($id: ID!) {
  dashboard(userId: $id) {
    userId
    profile { id name email avatarUrl tier memberSince }
    orders {
      id status placedAt
      total { amountMinor currency formatted }
      items {
        quantity
        unitPrice { amountMinor currency formatted }
        product { id name price { amountMinor currency formatted } imageUrl inStock }
      }
      shipment { carrier status estimatedDelivery trackingUrl }
    }
    recommendations {
      score reason
      product { id name price { amountMinor currency formatted } imageUrl inStock }
    }
    notifications { unreadCount items { id kind title createdAt read } }
    wallet { balance { amountMinor currency formatted } loyaltyPoints }
  }
}`
