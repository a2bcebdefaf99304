package inquiry

// Officer is a person who works tickets. The configuration fills and
// validates the list once; everything else takes it as given.
type Officer struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	Email string `yaml:"email"`
	// TelegramUserID is 0 when the officer does not use Telegram.
	TelegramUserID int64 `yaml:"telegram_user_id"`
}

// Address is the officer as a mail recipient.
func (o Officer) Address() Address {
	return Address{Name: o.Name, Address: o.Email}
}
