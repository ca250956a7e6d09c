# Contacts, schedule, projections (helper CONTACTS).
