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
	// Role is RoleOfficer (the default) or RoleHead: the head of the
	// division receives escalations, digests and urgent notices. A role
	// adds recipients; it never chooses who is assigned a ticket.
	Role Role `yaml:"role"`
	// Language is what Sportel writes to the officer in (reminders,
	// escalations, digests); empty means Albanian.
	Language Language `yaml:"language"`
}

// Role is an officer's place in the division.
type Role string

const (
	RoleOfficer Role = "officer"
	RoleHead    Role = "head"
)

// IsHead reports whether the officer heads the division.
func (o Officer) IsHead() bool { return o.Role == RoleHead }

// Address is the officer as a mail recipient.
func (o Officer) Address() Address {
	return Address{Name: o.Name, Address: o.Email}
}

// HasEmail reports whether addr is the officer's address, letters in
// either case: ASCII case only, as mail servers compare. strings.EqualFold
// also takes "ſ" for "s" and the Kelvin sign for "k", so a spelling no
// server would deliver to the officer would pass as theirs.
func (o Officer) HasEmail(addr string) bool {
	return SameAddress(o.Email, addr)
}

// SameAddress reports whether a and b are one mail address, letters in
// either case (ASCII case only, as HasEmail says why); an empty address
// is nobody's.
func SameAddress(a, b string) bool {
	if a == "" || len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
