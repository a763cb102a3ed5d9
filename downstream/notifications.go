package downstream

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

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
	if f == nil {
		return fmt.Errorf("null feed")
	}
	var c checks
	c.count("unreadCount", f.UnreadCount)
	c.present("items", f.Items != nil)
	for i := range f.Items {
		n := &f.Items[i]
		field := fmt.Sprintf("items[%d]", i)
		c.id(field+".id", n.ID)
		c.oneOf(field+".kind", n.Kind, notificationKinds)
		c.nonEmpty(field+".title", n.Title)
		c.time(field+".createdAt", n.CreatedAt)
		c.present(field+".read", n.Read != nil)
	}
	return c.err
}

// Notifications returns the user's notification feed: the unread count of
// all notifications, and at most limit of them, newest first (only unread
// ones with unreadOnly). An unknown user has an empty feed.
func (c *Clients) Notifications(ctx context.Context, userID string, limit int, unreadOnly bool) (*NotificationFeed, error) {
	const op = "get notifications"
	path, err := c.notifications.userPath(op, userID, "/notifications")
	if err != nil {
		return nil, err
	}
	query := "limit=" + strconv.Itoa(limit) + "&unreadOnly=" + strconv.FormatBool(unreadOnly)
	f, err := fetch[NotificationFeed](ctx, c.notifications, op, path, query, []string{userID}, false)
	if err != nil {
		return nil, err
	}
	if len(f.Items) > limit { // a copy: the answer may be shared with other callers
		f = &NotificationFeed{UnreadCount: f.UnreadCount, Items: f.Items[:limit]}
	}
	return f, nil
}
