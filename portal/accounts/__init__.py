"""Staff accounts: passwords, TOTP, roles."""
