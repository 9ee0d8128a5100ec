-- remove the LiqPay credentials of a neutralized database
UPDATE payment_provider
   SET liqpay_public_key = NULL,
       liqpay_private_key = NULL;
