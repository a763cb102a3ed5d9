package fastpath

import (
	"context"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/graph/model"
)

// writer writes the response's data as gqlgen would, byte for byte, and
// reports the errors met on the way with their paths.
type writer struct {
	x    *execution
	ctx  context.Context
	b    []byte
	path ast.Path // of the value being written, while an error may be met
}

// write writes the data of the resolved roots: of their dashboards, the
// fields of the initial response (group 0). A root field that failed is
// null, and, being non-null, makes all of the data null.
func (x *execution) write(ctx context.Context) []byte {
	w := x.writer(ctx)
	for _, r := range x.roots {
		if r.err != nil {
			x.fail(ctx, r.err, ast.Path{r.field.elem}, r.field.ast)
		}
	}
	for _, r := range x.roots {
		if r.err != nil && (r.field.name == "dashboard" || r.field.name == "dashboards") {
			return []byte("null")
		}
	}
	w.object(x.root, "Query", func(i int, f *field) {
		switch boards := x.roots[i].boards; f.name {
		case "dashboard":
			w.dashboard(boards[0], 0)
		case "dashboards":
			w.list(len(boards), func(j int) { w.dashboard(boards[j], 0) })
		}
	})
	return w.b
}

func (x *execution) writer(ctx context.Context) *writer {
	return &writer{x: x, ctx: ctx, b: make([]byte, 0, 16<<10), path: make(ast.Path, 0, 8)}
}

// enter and leave keep w.path: the path of what is being written, copied
// only when an error is met.
func (w *writer) enter(el ast.PathElement) { w.path = append(w.path, el) }
func (w *writer) leave()                   { w.path = w.path[:len(w.path)-1] }

// fail reports err as the error of field f at w.path and writes null.
func (w *writer) fail(err error, f *field) {
	w.x.fail(w.ctx, err, append(ast.Path(nil), w.path...), f.ast)
	w.b = append(w.b, "null"...)
}

// object writes one object: each field's key, then what value writes for
// the field, fields[i].
func (w *writer) object(fields []*field, typename string, value func(i int, f *field)) {
	w.objectGroup(fields, typename, 0, value)
}

// objectGroup writes one object of the fields of group (only a Dashboard's
// fields have groups other than 0: its deferred fragments).
func (w *writer) objectGroup(fields []*field, typename string, group int, value func(i int, f *field)) {
	w.b = append(w.b, '{')
	first := true
	for i, f := range fields {
		if f.group != group {
			continue
		}
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.b = append(w.b, f.quoted...)
		if f.name == "__typename" {
			w.b = appendString(w.b, typename)
			continue
		}
		value(i, f)
	}
	w.b = append(w.b, '}')
}

// dashboard writes the fields of group of dashboard b.
func (w *writer) dashboard(b *board, group int) {
	w.path = append(w.path[:0], b.path...)
	w.objectGroup(b.fields, "Dashboard", group, func(i int, f *field) {
		w.enter(f.elem)
		switch {
		case f.name == "userId":
			w.b = appendString(w.b, b.d.UserID)
		case b.errs[i] != nil:
			w.fail(b.errs[i], f)
		default:
			w.serviceField(f, b.values[i])
		}
		w.leave()
	})
}

// serviceField writes the value of a service-backed Dashboard field.
func (w *writer) serviceField(f *field, v any) {
	switch v := v.(type) {
	case *model.Profile:
		w.profile(f.sub, v)
	case []*model.Order:
		w.list(len(v), func(i int) { w.order(f.sub, v[i]) })
	case []*model.Recommendation:
		w.list(len(v), func(i int) { w.recommendation(f.sub, v[i]) })
	case *model.NotificationFeed:
		w.feed(f.sub, v)
	case *model.Wallet:
		w.wallet(f.sub, v)
	default: // a nil value without an error: a nullable field with nothing
		w.b = append(w.b, "null"...)
	}
}

func (w *writer) list(n int, element func(i int)) {
	w.b = append(w.b, '[')
	for i := range n {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.enter(ast.PathIndex(i))
		element(i)
		w.leave()
	}
	w.b = append(w.b, ']')
}

func (w *writer) profile(fields []*field, p *model.Profile) {
	w.object(fields, "Profile", func(_ int, f *field) {
		switch f.name {
		case "id":
			w.b = appendString(w.b, p.ID)
		case "name":
			w.b = appendString(w.b, p.Name)
		case "email":
			w.b = appendOptionalString(w.b, p.Email)
		case "avatarUrl":
			w.b = appendOptionalString(w.b, p.AvatarURL)
		case "tier":
			w.b = appendString(w.b, string(p.Tier))
		case "memberSince":
			w.b = appendTime(w.b, p.MemberSince)
		}
	})
}

func (w *writer) order(fields []*field, o *model.Order) {
	w.object(fields, "Order", func(_ int, f *field) {
		switch f.name {
		case "id":
			w.b = appendString(w.b, o.ID)
		case "status":
			w.b = appendString(w.b, string(o.Status))
		case "placedAt":
			w.b = appendTime(w.b, o.PlacedAt)
		case "total":
			w.money(f.sub, o.Total)
		case "items":
			w.enter(f.elem)
			w.list(len(o.Items), func(i int) { w.item(f.sub, o.Items[i]) })
			w.leave()
		}
	})
}

func (w *writer) item(fields []*field, it *model.OrderItem) {
	w.object(fields, "OrderItem", func(_ int, f *field) {
		switch f.name {
		case "quantity":
			w.b = strconv.AppendInt(w.b, int64(it.Quantity), 10)
		case "unitPrice":
			w.money(f.sub, it.UnitPrice)
		case "product":
			p, err := it.Product()
			w.product(f, p, err)
		}
	})
}

func (w *writer) recommendation(fields []*field, r *model.Recommendation) {
	w.object(fields, "Recommendation", func(_ int, f *field) {
		switch f.name {
		case "score":
			w.b = strconv.AppendFloat(w.b, r.Score, 'g', -1, 64)
		case "reason":
			w.b = appendOptionalString(w.b, r.Reason)
		case "product":
			p, err := r.Product()
			w.product(f, p, err)
		}
	})
}

// product writes a list element's product field: the product, or null and
// its error.
func (w *writer) product(f *field, p *model.Product, err error) {
	w.enter(f.elem)
	defer w.leave()
	switch {
	case err != nil:
		w.fail(err, f)
	case p == nil:
		w.b = append(w.b, "null"...)
	default:
		w.object(f.sub, "Product", func(_ int, f *field) {
			switch f.name {
			case "id":
				w.b = appendString(w.b, p.ID)
			case "name":
				w.b = appendString(w.b, p.Name)
			case "price":
				w.money(f.sub, p.Price)
			case "imageUrl":
				w.b = appendOptionalString(w.b, p.ImageURL)
			case "inStock":
				w.b = strconv.AppendBool(w.b, p.InStock)
			}
		})
	}
}

func (w *writer) feed(fields []*field, feed *model.NotificationFeed) {
	w.object(fields, "NotificationFeed", func(_ int, f *field) {
		switch f.name {
		case "unreadCount":
			w.b = strconv.AppendInt(w.b, int64(feed.UnreadCount), 10)
		case "items":
			w.list(len(feed.Items), func(i int) { w.notification(f.sub, feed.Items[i]) })
		}
	})
}

func (w *writer) notification(fields []*field, n *model.Notification) {
	w.object(fields, "Notification", func(_ int, f *field) {
		switch f.name {
		case "id":
			w.b = appendString(w.b, n.ID)
		case "kind":
			w.b = appendString(w.b, string(n.Kind))
		case "title":
			w.b = appendString(w.b, n.Title)
		case "createdAt":
			w.b = appendTime(w.b, n.CreatedAt)
		case "read":
			w.b = strconv.AppendBool(w.b, n.Read)
		}
	})
}

func (w *writer) wallet(fields []*field, wl *model.Wallet) {
	w.object(fields, "Wallet", func(_ int, f *field) {
		switch f.name {
		case "balance":
			w.money(f.sub, wl.Balance)
		case "loyaltyPoints":
			w.b = strconv.AppendInt(w.b, int64(wl.LoyaltyPoints), 10)
		}
	})
}

func (w *writer) money(fields []*field, m *model.Money) {
	w.object(fields, "Money", func(_ int, f *field) {
		switch f.name {
		case "amountMinor":
			w.b = strconv.AppendInt(w.b, int64(m.AmountMinor), 10)
		case "currency":
			w.b = appendString(w.b, m.Currency)
		case "formatted":
			w.b = appendString(w.b, m.Formatted())
		}
	})
}

// appendString appends s as a JSON string the way gqlgen's MarshalString
// writes it: '"', '\\' and control characters escaped, everything else as
// it is.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendOptionalString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendTime appends t as gqlgen's Time scalar does: RFC 3339 with
// nanoseconds as needed, quoted.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
