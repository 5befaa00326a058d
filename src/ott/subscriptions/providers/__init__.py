"""Payment providers behind one interface (base.PaymentProvider): development, Stripe-style and
Razorpay-style."""
