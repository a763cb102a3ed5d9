package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
	"strconv"
	"time"
)

// Notifications is the notifications service.
const Notifications Service = "notifications"

// notificationKinds are the values of a notification's kind.
var notificationKinds = enum(model.AllNotificationKind)

// NotificationFeed is a user's notifications as the notifications service
// sends them.
type NotificationFeed struct {
	UnreadCount *int           `json:"unreadCount"` // required, >= 0
	Items       []Notification `json:"items"`
}

// Notification is one message to the user.
type Notification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"createdAt"`
	Read      *bool     `json:"read"` // required; a pointer tells false from absent
}

func (f *NotificationFeed) validate() error {
	var c checks
	c.count("unreadCount", f.UnreadCount)
	checkList(&c, "items", f.Items, func(n *Notification) {
		c.id("id", n.ID)
		c.oneOf("kind", n.Kind, notificationKinds)
		c.nonEmpty("title", n.Title)
		c.time("createdAt", n.CreatedAt)
		c.present("read", n.Read != nil)
	})
	return c.err
}

// Notifications returns the user's notification feed: the unread count of
// all notifications, and at most limit of them, newest first (only unread
// ones with unreadOnly). An unknown user has an empty feed.
func (c *Clients) Notifications(ctx context.Context, userID string, limit int, unreadOnly bool) (*NotificationFeed, error) {
	query := "limit=" + strconv.Itoa(limit) + "&unreadOnly=" + strconv.FormatBool(unreadOnly)
	f, err := getUser[NotificationFeed](ctx, c.of(Notifications), "get notifications", userID, query, false)
	if err != nil {
		return nil, err
	}
	if len(f.Items) > limit { // a copy: the answer may be shared with other callers
		f = &NotificationFeed{UnreadCount: f.UnreadCount, Items: f.Items[:limit]}
	}
	return f, nil
}

// Model returns f as the schema's NotificationFeed, its notifications
// allocated together.
func (f *NotificationFeed) Model() *model.NotificationFeed {
	notes := make([]model.Notification, len(f.Items))
	items := make([]*model.Notification, len(f.Items))
	for i, n := range f.Items {
		notes[i] = model.Notification{
			ID:        n.ID,
			Kind:      model.NotificationKind(n.Kind),
			Title:     n.Title,
			CreatedAt: n.CreatedAt.UTC(),
			Read:      *n.Read,
		}
		items[i] = &notes[i]
	}
	return &model.NotificationFeed{UnreadCount: *f.UnreadCount, Items: items}
}
