SET @OLD_SQL_MODE=@@SQL_MODE;
DELIMITER ;;
CREATE TRIGGER `ins_film` AFTER INSERT ON `film` FOR EACH ROW BEGIN
    INSERT INTO film_text (film_id, title) VALUES (new.film_id, new.title);
  END;;
DELIMITER ;

delimiter //
CREATE PROCEDURE p(IN x INT)
proc: BEGIN
  IF x = 0 THEN LEAVE proc; END IF;
  SELECT 'a // inside a string';
END //
DELIMITER ;

DELIMITER $$
CREATE FUNCTION f() RETURNS INT DETERMINISTIC
BEGIN
  RETURN 1;
END$$
  DELIMITER ;  -- the rest of the directive line is ignored
SELECT 2;
